// The zod every function bundles: `zod/mini` with English messages. Measured (npm run bench): the
// full `zod` namespace is ~92 KB of a handler's bundle and ~10 ms of its cold start; mini is ~20 KB.
// Import it as a namespace (`import * as z from '../zod'`): a namespace that is re-exported as a
// value defeats tree-shaking and drags in every locale. Tools that never ship in a Lambda bundle
// (local runtime, emulators, CDK, tests) may use full zod.
import { config, lazy, type ZodMiniLazy, type ZodMiniType } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';

/**
 * A schema built at load by `build`, written `/* @__PURE__ *\/ z.defineSchema(() => ...)`: the mark lets
 * esbuild drop the call from a bundle that does not use its result, where a bare top-level
 * `z.object(...).register(...)` is kept and built by every bundle importing its file (a method call
 * may have side effects). Every top-level schema (and value made of schemas) in shared/schemas/ is
 * written so, or with `defineReply` or `deferSchema` below when it need not be built at load;
 * test/infra/bundles.test.ts checks that a route's bundle holds no named schema it does
 * not use. (esbuild's `@__NO_SIDE_EFFECTS__` on this function is not carried to calls in other
 * files, hence the mark at each call.)
 */
export function defineSchema<T>(build: () => T): T {
  return build();
}

/**
 * A schema built at its first use rather than at load: for one that only some requests parse (a
 * webhook's report of one message type among many), or checks many schemas share (the text checks of
 * shared/schemas/common.ts). A getter, written
 * `/* @__PURE__ *\/ z.deferSchema(() => ...)` and called where it parses (`EndOfCallReport()`). A
 * schema every request parses (a route's body, query or path) is built at load with `defineSchema`:
 * building it at the first request would only move the same work.
 */
export function deferSchema<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

/**
 * A schema only replies use, built at its first use rather than at load: written
 * `/* @__PURE__ *\/ z.defineReply(() => ...)`. A route's reply is checked against its schema only where
 * VALIDATE_RESPONSES is on (the local stack, the tests and dev; shared/http/route.ts), so a function on
 * prod never builds it, and elsewhere it is built at the first reply. A request's schema (body, query,
 * path) must not reach one: test/unit/replies.test.ts.
 */
export function defineReply<T extends ZodMiniType>(build: () => T): ZodMiniLazy<T> {
  const reply = lazy(build);
  REPLIES.add(reply);
  return reply;
}

/** Every schema `defineReply` gave. */
export const REPLIES = new WeakSet<object>();
