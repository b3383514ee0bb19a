// Stripe's POST routes: the form body parsed, behind Stripe's Idempotency-Key handling
// (docs.stripe.com/idempotency): the first answer of a key is replayed for the same request, the same
// key with other parameters is a 400 `idempotency_error`, the same key while its first request still
// runs is a 409 `idempotency_error` (nothing stored, the SDKs retry it), and a key is forgotten
// `idempotencyTtlSeconds` (Stripe's 24 hours) after its first use (then the request runs again).
// /_latency's slow-downs are taken here too: a slowed request keeps its key in flight meanwhile.
import type { RouteContext, Router } from '../kit';
import { now, type Settings, type StripeState } from './state';
import { fail, headers, parseForm, type Form } from './wire';

export type FormHandler = (ctx: RouteContext, form: Form) => Response | Promise<Response>;
/** Adds a POST route that gets the parsed form, behind the Idempotency-Key handling. */
export type PostRoute = (pattern: string, handler: FormHandler) => void;

export function idempotentPost(state: StripeState, settings: Pick<Settings, 'idempotencyTtlSeconds'>, routes: Router): PostRoute {
  return (pattern, handler) => {
    routes.post(pattern, async (ctx) => {
      const text = await ctx.req.text();
      const key = ctx.req.headers.get('idempotency-key');
      if (!key) return run(state, ctx, text, handler);
      const fingerprint = `${ctx.url.pathname}?${text}`;
      const seen = state.replays.get(key);
      if (seen && seen.expiresAt <= now(state)) state.replays.delete(key);
      else if (seen) {
        if (seen.fingerprint !== fingerprint) {
          return fail(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          });
        }
        return new Response(seen.body, { status: seen.status, headers: { ...headers(), 'idempotent-replayed': 'true' } });
      }
      if (state.inFlight.has(key)) {
        return fail(409, {
          type: 'idempotency_error',
          code: 'idempotency_key_in_use',
          message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
        });
      }
      state.inFlight.add(key);
      const startedAt = now(state);
      try {
        const res = await run(state, ctx, text, handler);
        // Like Stripe: a request that failed validation (4xx) is not stored, one that ran is.
        if (res.status < 400 || res.status >= 500) {
          const expiresAt = startedAt + settings.idempotencyTtlSeconds;
          state.replays.set(key, { fingerprint, status: res.status, body: await res.clone().text(), expiresAt });
        }
        return res;
      } finally {
        state.inFlight.delete(key);
      }
    });
  };
}

/** Runs the handler on the parsed form, after the first matching /_latency slow-down (if any) is waited out. */
async function run(state: StripeState, ctx: RouteContext, text: string, handler: FormHandler) {
  const slow = state.latencies.find((l) => !l.match || ctx.url.pathname.includes(l.match));
  if (slow) {
    slow.count -= 1;
    if (slow.count <= 0) state.latencies = state.latencies.filter((l) => l !== slow);
    await new Promise((resolve) => setTimeout(resolve, slow.ms));
  }
  return handler(ctx, parseForm(text));
}
