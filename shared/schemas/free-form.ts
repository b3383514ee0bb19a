// Free-form request bodies: the seeds give two routes a body of `property name*: any` (device
// information, and the account deletion's). Such a body takes any fields, bounded by the route's byte
// limit and here in depth and in keys; only the fields a route knows are validated and used, the rest
// is dropped, never stored. `additionalProperties: true` states that in the OpenAPI.
import * as z from '../zod';

/** The byte bound of a free-form body (the route's `maxBodyBytes`). */
export const FREE_FORM_MAX_BYTES = 4 * 1024;
/** Levels of nesting a body may have: the body itself is level 1, `{ "a": { "b": 1 } }` has 2. */
export const FREE_FORM_MAX_DEPTH = 5;
/** Keys a body may hold in all, counted at every level. */
export const FREE_FORM_MAX_KEYS = 50;

export interface JsonMeasure {
  /** The deepest level found, counted no further than `maxDepth + 1`. */
  depth: number;
  /** The keys found, counted no further than `maxKeys + 1`. */
  keys: number;
}

const isContainer = (v: unknown): v is object => typeof v === 'object' && v !== null;
const isPlainObject = (v: unknown) => isContainer(v) && !Array.isArray(v);

/**
 * How deep a JSON value nests and how many keys it holds, walked without recursion and stopped as
 * soon as either bound is passed: what a refused body costs does not grow with its size.
 */
export function measureJson(value: unknown, bounds: { maxDepth: number; maxKeys: number }): JsonMeasure {
  let depth = 0;
  let keys = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [node, level] = pending.pop()!;
    if (!isContainer(node)) continue;
    depth = Math.max(depth, level);
    if (depth > bounds.maxDepth) break;
    const children = Array.isArray(node) ? node : Object.values(node);
    if (!Array.isArray(node)) keys += Object.keys(node).length;
    if (keys > bounds.maxKeys) break;
    for (const child of children) if (isContainer(child)) pending.push([child, level + 1]);
  }
  return { depth, keys };
}

/** The depth and key bounds as a check; it runs also when a known field failed, so a refusal names every problem. */
const bounded = /* @__PURE__ */ z.defineSchema(() => z.superRefine(
  (body: object, ctx) => {
    const m = measureJson(body, { maxDepth: FREE_FORM_MAX_DEPTH, maxKeys: FREE_FORM_MAX_KEYS });
    if (m.depth > FREE_FORM_MAX_DEPTH) {
      ctx.addIssue({ code: 'custom', input: body, message: `The body must not nest deeper than ${FREE_FORM_MAX_DEPTH} levels.` });
    }
    if (m.keys > FREE_FORM_MAX_KEYS) {
      ctx.addIssue({ code: 'custom', input: body, message: `The body must not hold more than ${FREE_FORM_MAX_KEYS} keys in all.` });
    }
  },
  { when: (payload) => isPlainObject(payload.value) },
));

/** A free-form body with the fields `known` validated, registered under `id` in the OpenAPI. */
export function freeFormBody<S extends z.core.$ZodLooseShape>(id: string, known: S, description: string) {
  return z
    .looseObject(known)
    .check(bounded)
    .register(z.globalRegistry, {
      id,
      description: `${description} At most ${FREE_FORM_MAX_DEPTH} levels deep and ${FREE_FORM_MAX_KEYS} keys in all.`,
      additionalProperties: true,
      maxProperties: FREE_FORM_MAX_KEYS,
    });
}
