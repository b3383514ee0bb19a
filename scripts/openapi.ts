// `npm run openapi`: writes openapi/fonella.yaml from the route manifest.
import { writeFileSync } from 'node:fs';
import { openApiYaml } from '../lib/openapi';
import { routes } from '../lib/routes';

const file = new URL('../openapi/fonella.yaml', import.meta.url);
writeFileSync(file, openApiYaml(routes));
console.log(`wrote ${file.pathname}`);
