// reCAPTCHA v3 emulator: POST /recaptcha/api/siteverify answered as Google answers it. The token
// chooses the outcome, so tests and local forms can ask for each case:
//   pass:<action>:<score>   success with that action and score 0..1 (e.g. pass:contact:0.9)
//   fail                    success: false, error-codes ["invalid-input-response"]
//   anything else           success with score 0.9 and action "submit" (so a local form just works)
// A missing or wrong secret answers success: false with ["missing-input-secret"] / ["invalid-input-secret"],
// HTTP 200, as Google does. Unlike Google, a token may be verified any number of times.
import { RECAPTCHA_LOCAL } from '../../../../shared/providers/recaptcha/config';
import { Router, json, type EmulatorDefinition } from '../kit';

interface Verification {
  token: string;
  remoteIp?: string;
  success: boolean;
  action?: string;
  score?: number;
  errorCodes: string[];
  at: string;
}

export function createRecaptchaEmulator(opts: { secret?: string } = {}): EmulatorDefinition {
  const secret = opts.secret ?? RECAPTCHA_LOCAL.secret;
  const verifications: Verification[] = [];

  const routes = new Router().post('/recaptcha/api/siteverify', async ({ req }) => {
    const form = new URLSearchParams(await req.text());
    const token = form.get('response') ?? '';
    const at = new Date().toISOString();
    const record = (v: Omit<Verification, 'token' | 'at' | 'remoteIp'>) => {
      verifications.push({ token, remoteIp: form.get('remoteip') ?? undefined, at, ...v });
      return json({
        success: v.success,
        ...(v.success ? { score: v.score, action: v.action, challenge_ts: at, hostname: 'localhost' } : {}),
        'error-codes': v.errorCodes,
      });
    };
    if (!form.get('secret')) return record({ success: false, errorCodes: ['missing-input-secret'] });
    if (form.get('secret') !== secret) return record({ success: false, errorCodes: ['invalid-input-secret'] });
    if (!token) return record({ success: false, errorCodes: ['missing-input-response'] });
    if (token === 'fail') return record({ success: false, errorCodes: ['invalid-input-response'] });
    const m = /^pass:([\w/-]+):(0(?:\.\d+)?|1(?:\.0+)?)$/.exec(token);
    if (m) return record({ success: true, action: m[1], score: Number(m[2]), errorCodes: [] });
    return record({ success: true, action: 'submit', score: 0.9, errorCodes: [] });
  });

  return {
    name: 'recaptcha',
    credentials: { secret },
    env: (baseUrl) => ({ RECAPTCHA_BASE_URL: baseUrl, RECAPTCHA_SECRET: secret }),
    routes,
    inspect: () => ({ verifications }),
    reset: () => {
      verifications.length = 0;
    },
  };
}
