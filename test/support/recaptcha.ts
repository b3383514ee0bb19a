// reCAPTCHA tokens for the local emulator (lib/local/emulators/recaptcha): `pass:<action>:<score>` is
// verified with that action and score, `fail` is refused. The emulator takes each token once (as
// Google does: a second check answers `timeout-or-duplicate`), so every request needs a new one:
// the score's trailing digits make each token unique without changing the score that matters
// (0.9 → 0.90000<n>).
import { RECAPTCHA_ACTIONS } from '../../shared/model/recaptcha-actions';
import type { RouteDef } from '../../shared/http/route-def';

let minted = 0;
const unique = () => `${Date.now()}${process.pid}${++minted}`;

/** A new token the emulator passes with `action` and (about) `score`, 0 ≤ score < 1. */
export function recaptchaToken(action: string, score = 0.9, length?: number): string {
  const head = `pass:${action}:${score.toFixed(1)}0000`;
  const digits = unique();
  if (length === undefined) return head + digits;
  if (length < head.length + digits.length) throw new Error(`a fresh token needs at least ${head.length + digits.length} characters`);
  return head + '0'.repeat(length - head.length - digits.length) + digits;
}

/** The action a route's token is verified with; undefined for a route that checks none. */
export function recaptchaActionOf(route: RouteDef): string | undefined {
  if (!route.uses.providers?.includes('recaptcha')) return undefined;
  const action = (RECAPTCHA_ACTIONS as Record<string, string>)[route.name];
  if (!action) throw new Error(`route ${route.name} uses reCAPTCHA: add its action to shared/domain/recaptcha-actions.ts`);
  return action;
}

/**
 * A token that is new each time it is serialised: the generated bodies of the fuzzer and the auth
 * matrix carry it, and one body may be sent more than once (the boundary cases share a base body),
 * while the emulator takes a token once. `JSON.stringify` calls `toJSON`.
 */
export class FreshRecaptchaToken {
  constructor(
    readonly action: string,
    /** Exactly this many characters (a bound's case); any length when undefined. */
    readonly length?: number,
  ) {}
  toJSON(): string {
    return recaptchaToken(this.action, 0.9, this.length);
  }
}
