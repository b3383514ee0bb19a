// reCAPTCHA v3 siteverify over plain fetch (form-encoded). A retry after a failed call is safe: at
// worst Google answers `timeout-or-duplicate` for a token it already saw, a refusal, never a false pass.
import { ProviderRejectedError } from '../../errors';
import { providerHttp } from '../http';
import type { HumanCheck, HumanCheckResult } from './port';

export interface RecaptchaSettings {
  /** https://www.google.com, or the emulator's base URL. */
  baseUrl: string;
  secret: string;
  minScore: number;
  /** Lets a missing token through (the local stack, so forms work without a browser). */
  tokenOptional?: boolean;
  timeoutMs?: number;
}

interface SiteverifyAnswer {
  success?: boolean;
  score?: number;
  action?: string;
  'error-codes'?: string[];
}

// Codes that say our request or our secret is wrong: a misconfiguration to surface, not a bot to refuse.
const OUR_FAULT = new Set(['missing-input-secret', 'invalid-input-secret', 'bad-request']);

export function recaptchaVerifier(s: RecaptchaSettings): HumanCheck {
  const http = providerHttp({ provider: 'recaptcha', baseUrl: s.baseUrl, timeoutMs: s.timeoutMs });
  return {
    async verify({ token, expectedAction, remoteIp }): Promise<HumanCheckResult> {
      if (!token) return { ok: s.tokenOptional === true, score: null, action: null, reasons: ['token-missing'] };
      const form: Record<string, string> = { secret: s.secret, response: token };
      if (remoteIp) form.remoteip = remoteIp;
      const { body } = await http.request<SiteverifyAnswer>('siteverify', {
        method: 'POST',
        path: '/recaptcha/api/siteverify',
        form,
        idempotent: true,
      });
      const raw = body?.['error-codes'];
      const codes = Array.isArray(raw) ? raw : [];
      if (codes.some((c) => OUR_FAULT.has(c))) {
        throw new ProviderRejectedError('recaptcha', 'siteverify', { cause: codes.join(', ') });
      }
      const score = typeof body?.score === 'number' ? body.score : null;
      const action = typeof body?.action === 'string' ? body.action : null;
      const reasons = [...codes];
      if (body?.success === true) {
        if (action !== expectedAction) reasons.push('action-mismatch');
        if (score === null || score < s.minScore) reasons.push('low-score');
      } else if (reasons.length === 0) {
        reasons.push('not-verified');
      }
      return { ok: body?.success === true && reasons.length === 0, score, action, reasons };
    },
  };
}
