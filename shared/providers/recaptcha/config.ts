// reCAPTCHA v3: the secret, the score a request needs, and whether a missing token is let through
// (the local stack only, so forms work without a browser).
import * as z from '../../zod';
import { defineConfig, flag, nonEmpty, url } from '../../config/define';

export const RECAPTCHA_LOCAL = { secret: 'local-recaptcha-secret' } as const;

export const recaptchaConfig = /* @__PURE__ */ defineConfig(
  'recaptcha',
  () =>
    z.pipe(
      z.object({
        RECAPTCHA_BASE_URL: z._default(url(), 'https://www.google.com'),
        RECAPTCHA_SECRET: nonEmpty(),
        RECAPTCHA_MIN_SCORE: z._default(z.string().check(z.regex(/^(0(\.\d+)?|1(\.0+)?)$/)), '0.5'),
        RECAPTCHA_OPTIONAL: flag(),
      }),
      z.transform((e) => ({
        baseUrl: e.RECAPTCHA_BASE_URL.replace(/\/+$/, ''),
        secret: e.RECAPTCHA_SECRET,
        minScore: Number(e.RECAPTCHA_MIN_SCORE),
        tokenOptional: e.RECAPTCHA_OPTIONAL,
      })),
    ),
  { RECAPTCHA_BASE_URL: 'http://127.0.0.1:4008', RECAPTCHA_SECRET: RECAPTCHA_LOCAL.secret, RECAPTCHA_OPTIONAL: '1' },
);
