// `npm run openapi`: writes openapi/fonella.yaml from the route manifest, and the typed client's types
// (clients/typescript/schema.ts) from that document.
import { writeFileSync } from 'node:fs';
import { openApiYaml } from '../lib/openapi';
import { routes } from '../lib/routes';
import { SCHEMA_FILE, typedClientSchema } from '../lib/typed-client';

const file = new URL('../openapi/fonella.yaml', import.meta.url);
const yaml = openApiYaml(routes);
writeFileSync(file, yaml);
console.log(`wrote ${file.pathname}`);
writeFileSync(SCHEMA_FILE, await typedClientSchema(yaml));
console.log(`wrote ${SCHEMA_FILE.pathname}`);
