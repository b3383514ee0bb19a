// Schemas of POST /v1/me/devices. The body is free-form device information: a client may send any
// fields (the one request body of the API that is not a strict object), bounded by the route's byte
// limit and here in depth and in keys. Only the known fields are validated and kept; the rest is
// dropped by the use case, never stored. `additionalProperties: true` states that in the OpenAPI.
import * as z from '../zod';
import { line } from './common';

/** The body's byte bound (the route's `maxBodyBytes`). */
export const DEVICE_INFO_MAX_BYTES = 4 * 1024;
/** Levels of nesting a body may have: the body itself is level 1, `{ "a": { "b": 1 } }` has 2. */
export const DEVICE_INFO_MAX_DEPTH = 5;
/** Keys a body may hold in all, counted at every level. */
export const DEVICE_INFO_MAX_KEYS = 50;

export interface JsonMeasure {
  /** The deepest level found, counted no further than `maxDepth + 1`. */
  depth: number;
  /** The keys found, counted no further than `maxKeys + 1`. */
  keys: number;
}

const isContainer = (v: unknown): v is object => typeof v === 'object' && v !== null;

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

const isPlainObject = (v: unknown) => isContainer(v) && !Array.isArray(v);

export const DeviceRegistration = z
  .looseObject({
    userAgent: line(512),
    platform: line(40),
    appVersion: z.optional(line(40)),
    /** A credential-like value: stored for push, never logged, never answered. */
    pushToken: z.optional(line(512)),
    /** The client's own id for the device, if it keeps one; never stored as it came (hashed). */
    deviceId: z.optional(line(128)),
  })
  .check(
    // Also when a known field failed: a refusal names every problem at once.
    z.superRefine(
      (body, ctx) => {
        const m = measureJson(body, { maxDepth: DEVICE_INFO_MAX_DEPTH, maxKeys: DEVICE_INFO_MAX_KEYS });
        if (m.depth > DEVICE_INFO_MAX_DEPTH) {
          ctx.addIssue({ code: 'custom', input: body, message: `The body must not nest deeper than ${DEVICE_INFO_MAX_DEPTH} levels.` });
        }
        if (m.keys > DEVICE_INFO_MAX_KEYS) {
          ctx.addIssue({ code: 'custom', input: body, message: `The body must not hold more than ${DEVICE_INFO_MAX_KEYS} keys in all.` });
        }
      },
      { when: (payload) => isPlainObject(payload.value) },
    ),
  )
  .register(z.globalRegistry, {
    id: 'DeviceRegistration',
    description: `Device information, free-form: \`userAgent\` and \`platform\` (e.g. \`web\`, \`ios\`, \`android\`) are required, \`appVersion\`, \`pushToken\` and the client's own \`deviceId\` optional; any other field is accepted and dropped, not stored. At most ${DEVICE_INFO_MAX_DEPTH} levels deep and ${DEVICE_INFO_MAX_KEYS} keys in all.`,
    additionalProperties: true,
    maxProperties: DEVICE_INFO_MAX_KEYS,
  });

export const DeviceRegistered = z
  .object({
    /** Fonella's id of the device: stable for the same client id, or the same user agent and platform. */
    deviceId: z.string(),
    /** True when this request created the device session, false for a refresh. */
    isNew: z.boolean(),
  })
  .register(z.globalRegistry, { id: 'DeviceRegistered' });
