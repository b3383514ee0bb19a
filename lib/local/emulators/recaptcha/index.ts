// reCAPTCHA v3 emulator: POST /recaptcha/api/siteverify answered as Google answers it. The token
// chooses the outcome, so tests and local forms can ask for each case:
//   pass:<action>:<score>   success with that action and score 0..1 (e.g. pass:contact:0.9)
//   fail                    success: false, error-codes ["invalid-input-response"]
//   a token from /_token    what it was issued with (see below)
//   anything else           success with score 0.9 and action "submit" (so a local form just works)
// A missing or wrong secret answers success: false with ["missing-input-secret"] / ["invalid-input-secret"],
// HTTP 200, as Google does. As at Google, a token is good for one verification within two minutes of
// being issued: verified again, or older, it answers success: false with ["timeout-or-duplicate"].
// A token written by hand counts as issued when it is first verified; to get an old one, ask
//   POST /_token  { action?, score?, ageSeconds? }  →  { token }   (or `issueToken` in-process)
// for a token issued `ageSeconds` ago.
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
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

/** How long Google accepts a token after it was issued. */
export const TOKEN_LIFETIME_SECONDS = 120;

const issueSchema = z.strictObject({
  action: z.string().regex(/^[\w/-]+$/).default('submit'),
  score: z.number().min(0).max(1).default(0.9),
  ageSeconds: z.number().int().min(0).max(86_400).default(0),
});
export type IssueInput = z.input<typeof issueSchema>;

export interface RecaptchaEmulator extends EmulatorDefinition {
  /** A token as grecaptcha.execute would hand the browser, issued `ageSeconds` ago. */
  issueToken(input?: IssueInput): string;
}

export function createRecaptchaEmulator(opts: { secret?: string } = {}): RecaptchaEmulator {
  const secret = opts.secret ?? RECAPTCHA_LOCAL.secret;
  const verifications: Verification[] = [];
  /** Tokens from issueToken, with what they vouch for and when they were issued (ms). */
  const issued = new Map<string, { action: string; score: number; issuedAt: number }>();
  /** Tokens already verified once. */
  const spent = new Set<string>();

  function issueToken(input: IssueInput = {}): string {
    const { action, score, ageSeconds } = issueSchema.parse(input);
    const token = `03A${randomBytes(48).toString('base64url')}`;
    issued.set(token, { action, score, issuedAt: Date.now() - ageSeconds * 1000 });
    return token;
  }

  const routes = new Router()
    .post('/recaptcha/api/siteverify', async ({ req }) => {
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
      const known = issued.get(token);
      const stale = known !== undefined && Date.now() - known.issuedAt > TOKEN_LIFETIME_SECONDS * 1000;
      if (spent.has(token) || stale) return record({ success: false, errorCodes: ['timeout-or-duplicate'] });
      spent.add(token);
      if (known) return record({ success: true, action: known.action, score: known.score, errorCodes: [] });
      const m = /^pass:([\w/-]+):(0(?:\.\d+)?|1(?:\.0+)?)$/.exec(token);
      if (m) return record({ success: true, action: m[1], score: Number(m[2]), errorCodes: [] });
      return record({ success: true, action: 'submit', score: 0.9, errorCodes: [] });
    })
    .post('/_token', async ({ req }) => {
      const parsed = issueSchema.safeParse(await req.json().catch(() => ({})));
      if (!parsed.success) return json({ message: 'invalid body', issues: parsed.error.issues }, 400);
      return json({ token: issueToken(parsed.data) });
    });

  return {
    name: 'recaptcha',
    credentials: { secret },
    env: (baseUrl) => ({ RECAPTCHA_BASE_URL: baseUrl, RECAPTCHA_SECRET: secret }),
    routes,
    issueToken,
    inspect: () => ({ verifications }),
    reset: () => {
      verifications.length = 0;
      issued.clear();
      spent.clear();
    },
  };
}
