// reCAPTCHA v3 siteverify over plain fetch (form-encoded). Verifying has no side effect, so a failed
// call is retried within the bounded policy of providerHttp.
import { providerHttp } from '../http';
import type { HumanCheck } from './port';

export interface RecaptchaSettings {
  /** https://www.google.com, or the emulator's base URL. */
  baseUrl: string;
  secret: string;
  minScore: number;
  timeoutMs?: number;
}

interface SiteverifyAnswer {
  success?: boolean;
  score?: number;
  action?: string;
  'error-codes'?: string[];
}

export function recaptchaVerifier(s: RecaptchaSettings): HumanCheck {
  const http = providerHttp({ provider: 'recaptcha', baseUrl: s.baseUrl, timeoutMs: s.timeoutMs });
  return {
    async verify({ token, expectedAction, remoteIp }) {
      const form: Record<string, string> = { secret: s.secret, response: token };
      if (remoteIp) form.remoteip = remoteIp;
      const { body } = await http.request<SiteverifyAnswer>('siteverify', {
        method: 'POST',
        path: '/recaptcha/api/siteverify',
        form,
        idempotent: true,
      });
      const score = typeof body?.score === 'number' ? body.score : null;
      const action = typeof body?.action === 'string' ? body.action : null;
      const reasons = [...(body?.['error-codes'] ?? [])];
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
