// Stripe's wire format, as the emulator speaks it: the form encoding of requests (`items[0][price]=x`),
// the search query language (the part the emulator knows), Stripe's ids, and its answers: JSON with a
// `request-id`, errors as `{ error: { type, code?, param?, message } }`. Pure functions, no state.
import { randomBytes } from 'node:crypto';
import { json } from '../kit';
import type { Metadata } from './state';

export type Form = { [key: string]: FormValue };
export type FormValue = string | Form | FormValue[];

const EXPANDABLE = new Set(['customer', 'latest_invoice', 'latest_invoice.confirmation_secret']);

/** Parses Stripe's form encoding: `items[0][price]=x`, `expand[]=y`, `metadata[userId]=z`. */
export function parseForm(text: string): Form {
  const root: Form = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    if (!m) continue;
    const path = [m[1]!, ...[...m[2]!.matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1]!)];
    let node = root;
    path.forEach((segment, i) => {
      const k = segment === '' ? String(Object.keys(node).length) : segment;
      if (i === path.length - 1) node[k] = value;
      else node = (typeof node[k] === 'object' ? node[k] : (node[k] = {})) as Form;
    });
  }
  return arrays(root) as Form;
}

/** Objects keyed 0..n (from `a[0]`, `a[]`) become arrays. */
function arrays(v: FormValue): FormValue {
  if (typeof v === 'string' || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  const out: Form = Object.fromEntries(keys.map((k) => [k, arrays(v[k]!)]));
  return keys.length > 0 && keys.every((k) => /^\d+$/.test(k)) ? keys.sort((a, b) => +a - +b).map((k) => out[k]!) : out;
}

export const str = (v: FormValue | undefined) => (typeof v === 'string' ? v : undefined);
export const list = (v: FormValue | undefined): FormValue[] => (Array.isArray(v) ? v : []);
export const obj = (v: FormValue | undefined): Form => (v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : {});
export const strings = (v: FormValue | undefined): Metadata =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
/** Stripe merges metadata keys; an empty value removes a key. */
export function mergeMetadata(current: Metadata, v: FormValue | undefined): Metadata {
  const next = { ...current };
  for (const [k, x] of Object.entries(obj(v))) {
    if (x === '') delete next[k];
    else if (typeof x === 'string') next[k] = x;
  }
  return next;
}
export function timestamp(v: FormValue | undefined, now: () => number): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  return s === 'now' ? now() : Number(s);
}

/**
 * The part of Stripe's search query language the emulator knows: `field:'value'` clauses (single or
 * double quotes, backslash escapes) on email, name and metadata['key'], joined by AND. Undefined when
 * the query is anything else.
 */
export function parseSearch(query: string): { field: string; value: string }[] | undefined {
  const clause = /^\s*(email|name|metadata\[(?:'([^'\]]+)'|"([^"\]]+)")\]):(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*/;
  const out: { field: string; value: string }[] = [];
  let rest = query;
  for (;;) {
    const m = clause.exec(rest);
    if (!m) return undefined;
    const key = m[2] ?? m[3];
    out.push({ field: key ? `metadata.${key}` : m[1]!, value: (m[4] ?? m[5] ?? '').replace(/\\(.)/g, '$1') });
    rest = rest.slice(m[0].length);
    if (rest === '') return out;
    const and = /^AND\s+/.exec(rest);
    if (!and) return undefined;
    rest = rest.slice(and[0].length);
  }
}

export function quantityOf(v: FormValue | undefined, param: string): number | Response {
  if (v === undefined) return 1;
  const n = Number(str(v));
  return Number.isInteger(n) && n >= 1 ? n : fail(400, { param, message: `Invalid integer: ${String(str(v))}` });
}

export function expansions(form: Form): string[] | Response {
  const expand = list(form.expand).map((e) => str(e) ?? '');
  const bad = expand.find((e) => !EXPANDABLE.has(e));
  return bad === undefined ? expand : fail(400, { param: 'expand', message: `This property cannot be expanded (${bad}).` });
}

/** The object of `list` with id `id`. */
export const find = <T extends { id: string }>(list: T[], id: string | undefined) => list.find((x) => x.id === id);

// --- ids and answers -----------------------------------------------------------------------------

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const token = (n: number) => Array.from(randomBytes(n), (b) => ALNUM[b % 62]).join('');
export const newId = (prefix: string) => `${prefix}${token(24)}`;
export const headers = () => ({ 'content-type': 'application/json', 'request-id': `req_${token(14)}` });
export const ok = (body: unknown) => json(body, 200, headers());

export function fail(status: number, error: { type?: string; code?: string; decline_code?: string; param?: string; message: string }): Response {
  return json({ error: { type: 'invalid_request_error', ...error } }, status, headers());
}
export const noSuch = (kind: string, id: string, param = 'id', status = 404) =>
  fail(status, { code: 'resource_missing', param, message: `No such ${kind}: '${id}'` });
export const missingParam = (param: string) => fail(400, { code: 'parameter_missing', param, message: `Missing required param: ${param}.` });
export const invalidValue = (param: string, value: string, allowed: string[]) =>
  fail(400, { param, message: `Invalid ${param}: must be one of ${allowed.join(', ')} (got '${value}')` });
