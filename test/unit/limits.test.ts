// Limits at the edge, for every route in the manifest (so a new route cannot forget them): every
// string a request can carry has a maximum length, every array a maximum size, every free-form map a
// maximum key count, and the body's byte bound admits the largest body its schema accepts (a valid
// body must never be refused as too large).
import { describe, expect, it } from 'vitest';
import { routes } from '../../lib/routes';
import { appConfig } from '../../shared/config/app';
import type { RouteDef } from '../../shared/http/route-def';
import { jsonSchemaOf, resolve, type JsonSchema } from '../support/arbitraries';

const all = Object.values(routes as Record<string, RouteDef>);
const inputs = all.flatMap((r) =>
  (['body', 'query', 'params'] as const)
    .filter((part) => r.request?.[part])
    .map((part) => [`${r.name} ${part}`, r, jsonSchemaOf(r.request![part])] as const),
);

/** Paths of every unbounded string, array or map in a schema. */
function unbounded(s: JsonSchema, root: JsonSchema, path: string, seen = new Set<JsonSchema>()): string[] {
  const node = resolve(s, root);
  if (seen.has(node)) return [];
  seen.add(node);
  const out: string[] = [];
  const type = Array.isArray(node.type) ? node.type : [node.type];
  for (const alt of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) out.push(...unbounded(alt, root, path, seen));
  if (node.const !== undefined || node.enum) return out;
  if (type.includes('string') && node.maxLength === undefined) out.push(`${path}: string without maxLength`);
  if (type.includes('array')) {
    if (node.maxItems === undefined) out.push(`${path}: array without maxItems`);
    if (node.items) out.push(...unbounded(node.items, root, `${path}[]`, seen));
  }
  for (const [k, v] of Object.entries(node.properties ?? {})) out.push(...unbounded(v, root, `${path}.${k}`, seen));
  if (typeof node.additionalProperties === 'object') {
    if (node.maxProperties === undefined) out.push(`${path}: map without maxProperties`);
    out.push(...unbounded(node.additionalProperties, root, `${path}.*`, seen));
  }
  return out;
}

/**
 * The most bytes a body the schema accepts can take as JSON. A UTF-16 code unit costs at most three
 * bytes (a BMP character in UTF-8; escapes of the characters the text types allow take two).
 */
function worstBytes(s: JsonSchema, root: JsonSchema): number {
  const node = resolve(s, root);
  const alts = [...(node.anyOf ?? []), ...(node.oneOf ?? [])];
  if (alts.length) return Math.max(...alts.map((a) => worstBytes(a, root)));
  if (node.const !== undefined) return JSON.stringify(node.const).length;
  if (node.enum) return Math.max(...node.enum.map((e) => Buffer.byteLength(JSON.stringify(e))));
  const type = Array.isArray(node.type) ? node.type : [node.type];
  if (type.length === 1 && type[0] === 'null') return 4;
  if (type.includes('string')) return 2 + 3 * (node.maxLength ?? Infinity);
  if (type.includes('number') || type.includes('integer')) return 24;
  if (type.includes('boolean')) return 5;
  if (type.includes('array')) return 2 + (node.maxItems ?? Infinity) * (worstBytes(node.items ?? {}, root) + 1);
  if (node.properties || type.includes('object')) {
    const props = Object.entries(node.properties ?? {});
    return 2 + props.reduce((n, [k, v]) => n + Buffer.byteLength(JSON.stringify(k)) + 2 + worstBytes(v, root), 0);
  }
  return Infinity;
}

describe('limits at the edge', () => {
  it('has request schemas to check', () => expect(inputs.length).toBeGreaterThan(0));

  it.each(inputs)('%s: every string, array and map is bounded', (_name, _route, schema) => {
    expect(unbounded(schema, schema, '$')).toEqual([]);
  });

  it.each(all.filter((r) => r.request?.body && !r.request.raw).map((r) => [r.name, r] as const))(
    '%s: the byte bound admits the largest valid body',
    (_name, r) => {
      const limit = r.request?.maxBodyBytes ?? appConfig.parse({ STAGE: 'test' }).maxBodyBytes;
      const schema = jsonSchemaOf(r.request!.body);
      expect(worstBytes(schema, schema)).toBeLessThanOrEqual(limit);
    },
  );

  it('the walker finds what it must', () => {
    const s: JsonSchema = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'array', items: { type: 'string', maxLength: 3 } } } };
    expect(unbounded(s, s, '$')).toEqual(['$.a: string without maxLength', '$.b: array without maxItems']);
    expect(worstBytes({ type: 'object', properties: { a: { type: 'string', maxLength: 10 } } }, {})).toBe(2 + 3 + 2 + 32);
  });
});
