// openapi/fonella.yaml is generated from the manifest: it must be current and valid OpenAPI 3.1.
import SwaggerParser from '@apidevtools/swagger-parser';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STACK_ANSWERS, buildOpenApi, errorResponses, openApiYaml } from '../../lib/openapi';
import { routes } from '../../lib/routes';
import * as routeDef from '../../shared/http/route-def';
import type { RouteDef } from '../../shared/http/route-def';
import * as z from '../../shared/zod';

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

// What the stack can answer, per kind of route (shared/http/middleware/*, API Gateway).
describe('error responses by route kind', () => {
  const base: RouteDef = {
    name: 'probe',
    method: 'POST',
    path: '/v1/probe',
    handler: 'functions/probe/probe.ts',
    access: 'public',
    summary: 's',
    tags: ['public'],
    response: { status: 200, description: 'd' },
    uses: {},
  };
  const Body = z.strictObject({ a: z.string() });
  const statuses = (r: Partial<RouteDef>) => Object.keys(errorResponses({ ...base, ...r })).sort();
  const media = (r: Partial<RouteDef>, status: string) => Object.keys(errorResponses({ ...base, ...r })[status]?.content ?? {});

  it('a JSON body: 400, 413, 415; none: 400 for an unexpected body; raw: no 415; all: 400 for unknown query parameters', () => {
    expect(statuses({ request: { body: Body } })).toEqual(['400', '413', '415', '429', '500']);
    expect(statuses({})).toEqual(['400', '413', '429', '500']);
    expect(statuses({ access: 'stripe', request: { body: Body, raw: true } })).toEqual(['400', '413', '429', '500']);
  });

  it("401 is the gateway's body behind the authorizer, problem+json on webhooks; 403 on admin and partner routes", () => {
    expect(media({ access: 'user' }, '401')).toEqual(['application/json']);
    expect(media({ access: 'vapi' }, '401')).toEqual(['application/problem+json']);
    expect(statuses({ access: 'admin' })).toContain('403');
    expect(statuses({ access: 'partner' })).toContain('403');
    expect(statuses({ access: 'user' })).not.toContain('403');
  });

  it('502 and 503 where a provider is used; 413 and 500 also in the gateway shape, 429 only in it', () => {
    expect(statuses({ uses: { providers: ['vapi'] } })).toEqual(expect.arrayContaining(['502', '503']));
    expect(statuses({})).not.toContain('502');
    expect(media({}, '500')).toEqual(['application/problem+json', 'application/json']);
    expect(media({}, '413')).toEqual(['application/problem+json', 'application/json']);
    expect(media({}, '429')).toEqual(['application/json']);
  });

  type Schema = { allOf: { properties: { type: { enum: string[] } } }[] };
  const types = (r: Partial<RouteDef>, status: string) =>
    (errorResponses({ ...base, ...r })[status]?.content?.['application/problem+json']?.schema as Schema).allOf[1]!.properties.type.enum.map((t) => t.replace('urn:fonella:problem:', ''));
  const retryAfter = (r: Partial<RouteDef>, status: string) =>
    (errorResponses({ ...base, ...r })[status]?.headers as Record<string, { description: string }> | undefined)?.['Retry-After']?.description;

  it('answers of one status join into one response: problem types in the order of the declarations, the route\'s own last', () => {
    const r: Partial<RouteDef> = { access: 'user', idempotent: true, uses: { table: 'write' }, errors: [{ status: 409, slugs: ['own'], description: '`own`: o.' }] };
    expect(types(r, '409')).toEqual(['idempotency-in-progress', 'account-being-deleted', 'own']);
    expect(errorResponses({ ...base, ...r })['409']?.description).toMatch(/^Conflict\. `idempotency-in-progress`: .* `account-being-deleted`: .* `own`: o\.$/);
    expect(retryAfter(r, '409')).toBe('Seconds to wait before retrying.');
  });

  it('Retry-After: where two answers of the stack give it on one status, "when known"; a route\'s own answer says its own', () => {
    expect(retryAfter({ uses: { table: 'read' } }, '503')).toBe('Seconds to wait before retrying.');
    expect(retryAfter({ uses: { table: 'read', providers: ['vapi'] } }, '503')).toBe('Seconds to wait, when known.');
    expect(types({ uses: { table: 'read', providers: ['vapi'] } }, '503')).toEqual(['provider-rate-limited', 'table-unavailable']);
    const own = { status: 503, slugs: ['busy'], description: '`busy`: b.', retryAfter: 'Until it is done.' };
    expect(retryAfter({ uses: { table: 'read' }, errors: [own] }, '503')).toBe('Until it is done.');
  });

  it('reads the declarations of every middleware of the stack and of the route definition', async () => {
    const dir = new URL('../../shared/http/middleware/', import.meta.url);
    // The Powertools runner behind ./idempotency.ts, whose declaration covers what it throws.
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'idempotency-powertools.ts');
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const mod = (await import(new URL(f, dir).href)) as { answers?: unknown };
      expect(typeof mod.answers, `${f} declares what it answers`).toBe('function');
      expect(STACK_ANSWERS, `lib/openapi.ts reads ${f}'s answers`).toContain(mod.answers);
    }
    expect(STACK_ANSWERS).toContain(routeDef.answers);
  });
});
