// openapi/fonella.yaml is generated from the manifest: it must be current and valid OpenAPI 3.1.
import SwaggerParser from '@apidevtools/swagger-parser';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildOpenApi, openApiYaml } from '../../lib/openapi';
import { routes } from '../../lib/routes';

const file = new URL('../../openapi/fonella.yaml', import.meta.url);

describe('openapi/fonella.yaml', () => {
  it('matches what the manifest generates (run `npm run openapi` when this fails)', () => {
    expect(readFileSync(file, 'utf8')).toBe(openApiYaml(routes));
  });

  it('validates as OpenAPI 3.1', async () => {
    const doc = parse(readFileSync(file, 'utf8'));
    await expect(SwaggerParser.validate(doc)).resolves.toBeTruthy();
    expect(doc.openapi).toBe('3.1.0');
  });

  it('lists every manifest route with its operation id', () => {
    const doc = buildOpenApi(routes) as unknown as { paths: Record<string, Record<string, { operationId: string }>> };
    for (const [name, r] of Object.entries(routes)) {
      expect(doc.paths[r.path]?.[r.method.toLowerCase()]?.operationId).toBe(name);
    }
  });
});
