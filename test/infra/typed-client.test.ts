// The typed client's types (clients/typescript/schema.ts) are what openapi-typescript makes of
// openapi/fonella.yaml now: a route, body or answer changed without `npm run openapi` fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, typedClientSchema } from '../../lib/typed-client';

describe('the typed client', () => {
  it('is generated from the OpenAPI document as it is (run `npm run openapi` after a change)', async () => {
    const generated = await typedClientSchema();
    expect(generated).toContain('"/v1/me": {');
    expect(readFileSync(SCHEMA_FILE, 'utf8') === generated, 'clients/typescript/schema.ts is stale: run `npm run openapi`').toBe(true);
  });

  it('changes when the document does', async () => {
    const spec = readFileSync(new URL('../../openapi/fonella.yaml', import.meta.url), 'utf8');
    expect(await typedClientSchema(spec.replace('/v1/public/plans:', '/v1/public/prices:'))).not.toBe(readFileSync(SCHEMA_FILE, 'utf8'));
  });
});
