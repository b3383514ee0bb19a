// reCAPTCHA v3: the secret, the score a request needs, and whether a missing token is let through
// (the local stack only, so forms work without a browser).
import { defineConfig, flag, matching, nonEmpty, url, withDefault } from '../../config/define';

export const RECAPTCHA_LOCAL = { secret: 'local-recaptcha-secret' } as const;

export const recaptchaConfig = /* @__PURE__ */ defineConfig(
  'recaptcha',
  {
    RECAPTCHA_BASE_URL: withDefault(url, 'https://www.google.com'),
    RECAPTCHA_SECRET: nonEmpty,
    RECAPTCHA_MIN_SCORE: withDefault(matching(/^(0(\.\d+)?|1(\.0+)?)$/, 'must be a score from 0 to 1'), '0.5'),
    RECAPTCHA_OPTIONAL: flag,
  },
  (e) => ({
    baseUrl: e.RECAPTCHA_BASE_URL.replace(/\/+$/, ''),
    secret: e.RECAPTCHA_SECRET,
    minScore: Number(e.RECAPTCHA_MIN_SCORE),
    tokenOptional: e.RECAPTCHA_OPTIONAL,
  }),
  { RECAPTCHA_BASE_URL: 'http://127.0.0.1:4008', RECAPTCHA_SECRET: RECAPTCHA_LOCAL.secret, RECAPTCHA_OPTIONAL: '1' },
);
