// Inputs for every route, derived from its manifest entry: fast-check arbitraries built from the JSON
// Schema zod emits for the route's request schemas (valid values, filtered through the zod schema
// itself), the boundary cases of each field, and hostile bodies that no schema should let through
// to a write or a 5xx.
import fc from 'fast-check';
import * as z from 'zod';
import type { RouteDef } from '../../shared/http/route-def';
import { FreshRecaptchaToken, recaptchaActionOf } from './recaptcha';

export type JsonSchema = {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  examples?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  default?: unknown;
};

/** The JSON Schema of a zod schema as a request takes it (input side), its $defs inlined on demand. */
export function jsonSchemaOf(schema: unknown): JsonSchema {
  return z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

export function resolve(s: JsonSchema, root: JsonSchema): JsonSchema {
  if (!s.$ref) return s;
  const name = s.$ref.replace('#/$defs/', '');
  const target = root.$defs?.[name];
  if (!target) throw new Error(`unresolved ${s.$ref}`);
  return resolve(target, root);
}

const types = (s: JsonSchema) => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

/** Values the JSON Schema describes; callers filter them through the zod schema (trim, refinements). */
export function fromSchema(input: JsonSchema, root: JsonSchema = input): fc.Arbitrary<unknown> {
  const s = resolve(input, root);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf ?? s.oneOf) return fc.oneof(...(s.anyOf ?? s.oneOf)!.map((x) => fromSchema(x, root)));
  const t = types(s);
  if (t.includes('object') || s.properties) {
    const props = s.properties ?? {};
    const record = fc.record(
      Object.fromEntries(Object.entries(props).map(([k, v]) => [k, fromSchema(v, root)])),
      { requiredKeys: s.required ?? [] },
    );
    return record;
  }
  if (t.includes('array')) {
    return fc.array(fromSchema(s.items ?? {}, root), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 5, 5) });
  }
  if (t.includes('string')) return stringFor(s);
  if (t.includes('integer')) return fc.integer({ min: lower(s) ?? -1e6, max: upper(s) ?? 1e6 });
  if (t.includes('number')) return fc.double({ min: lower(s) ?? -1e6, max: upper(s) ?? 1e6, noNaN: true, noDefaultInfinity: true });
  if (t.includes('boolean')) return fc.boolean();
  if (t.includes('null')) return fc.constant(null);
  return fc.jsonValue({ maxDepth: 2 });
}

const lower = (s: JsonSchema) => s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : undefined);
const upper = (s: JsonSchema) => s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : undefined);

function stringFor(s: JsonSchema): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0;
  const maxLength = s.maxLength ?? 64;
  const fits = (v: string) => v.length >= minLength && v.length <= maxLength;
  if (s.format === 'date-time') {
    return fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
  }
  // A string checked beyond what JSON Schema says (a phone number must be a real, callable one): its
  // documented examples, which random text would almost never be.
  const examples = (s.examples ?? []).filter((e): e is string => typeof e === 'string' && fits(e));
  if (examples.length > 0) return fc.constantFrom(...examples);
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter(fits);
  // Printable text of every script, the way people type it.
  return fc.string({ unit: 'grapheme', minLength, maxLength: Math.min(maxLength, 400) }).filter(fits);
}

/** The body field that carries a reCAPTCHA token, on routes that verify one. */
export const RECAPTCHA_FIELD = 'recaptchaToken';

/**
 * Values of the route's body that its zod schema accepts. On a route that verifies reCAPTCHA, a
 * generated token is replaced by one the emulator passes for the route's action, new at each send:
 * a valid body is one a person's browser could send.
 */
export function validBodies(route: RouteDef): fc.Arbitrary<unknown> | undefined {
  const schema = route.request?.body;
  if (!schema || route.request?.raw) return undefined;
  const valid = fromSchema(jsonSchemaOf(schema)).filter((v) => schema.safeParse(v).success);
  const action = recaptchaActionOf(route);
  if (!action) return valid;
  return valid.map((v) =>
    typeof v === 'object' && v !== null && RECAPTCHA_FIELD in v ? { ...v, [RECAPTCHA_FIELD]: new FreshRecaptchaToken(action) } : v,
  );
}

/** One field of a body at a bound: `valid` says whether the schema must accept the whole body. */
export interface BoundaryCase {
  field: string;
  value: unknown;
  valid: boolean;
  what: string;
}

/** For each top-level field: exactly at each bound (valid) and one step outside it (invalid). */
export function boundaryCases(route: RouteDef, base?: Record<string, unknown>): BoundaryCase[] {
  const schema = route.request?.body;
  if (!schema || route.request?.raw) return [];
  const root = jsonSchemaOf(schema);
  const obj = variantOf(resolve(root, root), root, base);
  const cases: BoundaryCase[] = [];
  for (const [field, raw] of Object.entries(obj.properties ?? {})) {
    const s = resolve(raw, root);
    const action = field === RECAPTCHA_FIELD ? recaptchaActionOf(route) : undefined;
    if (action && s.maxLength !== undefined) {
      // A token has a pattern (no generic length cases): at its bound, one the emulator passes.
      cases.push({ field, value: new FreshRecaptchaToken(action, s.maxLength), valid: true, what: `${field} at maxLength ${s.maxLength}` });
      cases.push({ field, value: 'x'.repeat(s.maxLength + 1), valid: false, what: `${field} at maxLength + 1` });
    }
    if (types(s).includes('string') && !s.pattern && !s.format && !s.enum) {
      if (s.maxLength !== undefined) {
        cases.push({ field, value: 'x'.repeat(s.maxLength), valid: true, what: `${field} at maxLength ${s.maxLength}` });
        cases.push({ field, value: 'x'.repeat(s.maxLength + 1), valid: false, what: `${field} at maxLength + 1` });
      }
      if ((s.minLength ?? 0) > 0) {
        cases.push({ field, value: 'x'.repeat(s.minLength!), valid: true, what: `${field} at minLength ${s.minLength}` });
        cases.push({ field, value: 'x'.repeat(s.minLength! - 1), valid: false, what: `${field} at minLength - 1` });
      }
    }
    if (types(s).some((t) => t === 'integer' || t === 'number')) {
      const lo = lower(s);
      const hi = upper(s);
      if (lo !== undefined) cases.push({ field, value: lo, valid: true, what: `${field} at its minimum` }, { field, value: lo - 1, valid: false, what: `${field} below its minimum` });
      if (hi !== undefined) cases.push({ field, value: hi, valid: true, what: `${field} at its maximum` }, { field, value: hi + 1, valid: false, what: `${field} above its maximum` });
    }
    if (s.enum) cases.push({ field, value: `${String(s.enum[0])}-not-listed`, valid: false, what: `${field} not in its enum` });
    if (types(s).includes('array') && s.maxItems !== undefined && s.items) {
      const item = fc.sample(fromSchema(s.items, root), { numRuns: 1, seed: 1 })[0];
      cases.push({ field, value: Array.from({ length: s.maxItems + 1 }, () => item), valid: false, what: `${field} above maxItems` });
    }
    cases.push({ field, value: wrongTypeFor(s), valid: false, what: `${field} of the wrong type` });
    if (obj.required?.includes(field)) cases.push({ field, value: undefined, valid: false, what: `${field} missing` });
  }
  if (obj.additionalProperties === false) cases.push({ field: 'unexpectedField', value: 'x', valid: false, what: 'an unknown field' });
  return cases;
}

/** A body that is a union of objects told apart by constant fields: the alternative `base` is (else the first). */
function variantOf(node: JsonSchema, root: JsonSchema, base?: Record<string, unknown>): JsonSchema {
  const alts = (node.oneOf ?? node.anyOf ?? []).map((a) => resolve(a, root));
  if (alts.length === 0) return node;
  const fits = (alt: JsonSchema) =>
    base !== undefined &&
    Object.entries(alt.properties ?? {}).every(([k, v]) => {
      const c = resolve(v, root).const;
      return c === undefined || base[k] === c;
    });
  return alts.find(fits) ?? alts[0]!;
}

function wrongTypeFor(s: JsonSchema): unknown {
  const t = types(s);
  if (t.includes('string')) return 12345;
  if (t.includes('number') || t.includes('integer')) return '123';
  if (t.includes('boolean')) return 'true';
  if (t.includes('array')) return { not: 'an array' };
  return ['not', 'an', 'object'];
}

/** A request body as bytes on the wire, with the headers that go with it. */
export interface RawBody {
  text: string;
  contentType?: string;
  label: string;
}

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202eevil\u202c',
  '\u200b\u200b',
  '\ud800',
  'x\udfffy',
  '𝕏🙂\u{10ffff}',
  '\r\nBcc: victim@evil.example',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  '${jndi:ldap://x}',
  '../../etc/passwd',
  '123',
  'true',
  'null',
  'x'.repeat(100_000),
];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 2 ** 53 + 1),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** JSON text `depth` levels deep. */
const deep = (depth: number, open: string, close: string) => `${open.repeat(depth)}1${close.repeat(depth)}`;

/**
 * Hostile bodies for a route: whole bodies of the wrong shape, valid bodies with one field made
 * hostile, raw texts JSON.stringify cannot produce (duplicate keys, prototype keys, deep nesting,
 * lone surrogates), and wrong content types and charsets.
 */
export function hostileBodies(route: RouteDef): fc.Arbitrary<RawBody> {
  const valid = validBodies(route) ?? fc.constant({});
  const asJson = (label: string) => (v: unknown): RawBody => ({ text: JSON.stringify(v) ?? 'null', label });
  const oneFieldHostile = fc
    .tuple(valid, hostileValue, fc.nat())
    .map(([body, bad, i]) => {
      const obj = (typeof body === 'object' && body !== null ? { ...(body as object) } : {}) as Record<string, unknown>;
      const keys = Object.keys(obj);
      const key = keys.length ? keys[i % keys.length]! : 'field';
      obj[key] = bad;
      return { text: JSON.stringify(obj), label: `one field hostile (${key})` };
    });
  const rawTexts = fc.oneof(
    fc.constantFrom<RawBody>(
      { text: deep(5000, '[', ']'), label: 'arrays 5000 deep' },
      { text: deep(5000, '{"a":', '}'), label: 'objects 5000 deep' },
      { text: '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":1}}}', label: 'prototype keys' },
      { text: '{"a":1,"a":2}', label: 'duplicate unknown keys' },
      { text: '"\\ud800"', label: 'a lone surrogate string' },
      { text: '\ufeff{}', label: 'a byte order mark' },
      { text: '{}garbage', label: 'trailing garbage' },
      { text: 'NaN', label: 'NaN' },
      { text: '[]', label: 'an array for an object' },
      { text: '{"x":1e999}', label: 'an infinite number' },
    ),
    valid.map((v) => {
      const text = JSON.stringify(v);
      // The same valid body with one key given twice: the last one must be the one validated.
      const dup = text.length > 2 ? `{"__proto__":null,${text.slice(1)}` : text;
      return { text: dup, label: 'a __proto__ key beside valid fields' };
    }),
  );
  const contentTypes = fc
    .tuple(valid, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', 'application/xml'))
    .map(([v, contentType]) => ({ text: JSON.stringify(v), contentType, label: `content-type ${contentType}` }));
  return fc.oneof(
    { arbitrary: hostileValue.map(asJson('a hostile value for the whole body')), weight: 2 },
    { arbitrary: oneFieldHostile, weight: 4 },
    { arbitrary: rawTexts, weight: 2 },
    { arbitrary: contentTypes, weight: 1 },
  );
}

/** Odd query strings: repeated, empty, encoded NUL, prototype keys, very long. */
export const hostileQuery: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '?', '?a=1&a=2', '?__proto__=x&constructor=y', '?%00=%00', `?q=${'x'.repeat(5000)}`, '?limit=-1', '?limit=1e9', '?cursor=%FF%FE', '?a[b]=c'),
  fc.webQueryParameters().map((q) => `?${q}`),
);

/** Odd path parameter values (URL-encoded as a client would send them). */
export const hostilePathParam: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('%00', '..', '%2e%2e%2f', 'a%2Fb', '%F0%9F%99%82', 'x'.repeat(300), '__proto__', 'USER%23other', '-1', '1e9'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(encodeURIComponent),
);

/** Query strings (`?a=1&b=2`, or '' when nothing is needed) that the route's query schema accepts. */
export function validQueries(route: RouteDef): fc.Arbitrary<string> | undefined {
  const schema = route.request?.query;
  if (!schema) return undefined;
  return fromSchema(jsonSchemaOf(schema))
    .map((v) => Object.fromEntries(Object.entries((v ?? {}) as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => [k, String(x)])))
    .filter((q) => schema.safeParse(q).success)
    .map((q) => (Object.keys(q).length ? `?${new URLSearchParams(q)}` : ''));
}
