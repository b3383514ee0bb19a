// How many submissions of each public form one client (its IP address) may make per hour, and what a
// signed-in user may make Fonella email per day: call reports to the review inbox (per call and per
// user) and links confirming a changed address. The counters live in the table
// (shared/db/rate-limits.ts), so the limit holds across every Lambda instance. On a deployed stage CDK
// sets the variables from the `fonella` context (lib/settings.ts `publicFormRateLimits`, `mailBounds`).
// The local defaults are a stage's defaults, so `npm start` refuses what a stage refuses
// (test/infra/deploy-env.test.ts holds them equal); the test suites and the bench set high limits
// explicitly (lib/local/limits.ts `SUITE_LIMITS`), and a suite that wants to meet one sets it low.
import { defineConfig, positiveInt } from './define';

/** The window every public form's limit counts in: one hour, aligned to the clock. */
export const RATE_LIMIT_WINDOW_SECONDS = 3600;

/** The window of the callback's per-number limit: one day, aligned to the clock (UTC). */
export const DAY_WINDOW_SECONDS = 86400;

export interface RateLimit {
  /** Requests allowed per client and window. */
  limit: number;
  windowSeconds: number;
}

export const rateLimitConfig = /* @__PURE__ */ defineConfig(
  'rateLimits',
  {
    RATE_LIMIT_CONTACT_PER_HOUR: positiveInt,
    /** Contact messages without a reCAPTCHA token per client address and hour (a tighter limit). */
    RATE_LIMIT_CONTACT_WITHOUT_TOKEN_PER_HOUR: positiveInt,
    /** Contact messages without a reCAPTCHA token from one email address per day. */
    RATE_LIMIT_CONTACT_WITHOUT_TOKEN_PER_EMAIL_PER_DAY: positiveInt,
    RATE_LIMIT_SUPPORT_TICKET_PER_HOUR: positiveInt,
    /** Test callbacks per client address and hour. */
    RATE_LIMIT_CALLBACK_PER_HOUR: positiveInt,
    /** Test callbacks to one phone number per day, whoever asks. */
    RATE_LIMIT_CALLBACK_PER_NUMBER_PER_DAY: positiveInt,
    /** Reports of one call per day (POST /v1/me/call-reports). */
    RATE_LIMIT_CALL_REPORTS_PER_CALL_PER_DAY: positiveInt,
    /** Call reports of one user per day, whatever the call. */
    RATE_LIMIT_CALL_REPORTS_PER_USER_PER_DAY: positiveInt,
    /** Links confirming a changed settings address, per user and day (PATCH /v1/me/settings). */
    RATE_LIMIT_EMAIL_CONFIRMATIONS_PER_USER_PER_DAY: positiveInt,
  },
  (
    e,
  ): Record<
    | 'contact'
    | 'contactWithoutToken'
    | 'contactWithoutTokenPerEmail'
    | 'supportTicket'
    | 'callback'
    | 'callbackPerNumber'
    | 'callReportPerCall'
    | 'callReportPerUser'
    | 'emailConfirmation',
    RateLimit
  > => ({
    contact: { limit: e.RATE_LIMIT_CONTACT_PER_HOUR, windowSeconds: RATE_LIMIT_WINDOW_SECONDS },
    contactWithoutToken: { limit: e.RATE_LIMIT_CONTACT_WITHOUT_TOKEN_PER_HOUR, windowSeconds: RATE_LIMIT_WINDOW_SECONDS },
    contactWithoutTokenPerEmail: { limit: e.RATE_LIMIT_CONTACT_WITHOUT_TOKEN_PER_EMAIL_PER_DAY, windowSeconds: DAY_WINDOW_SECONDS },
    supportTicket: { limit: e.RATE_LIMIT_SUPPORT_TICKET_PER_HOUR, windowSeconds: RATE_LIMIT_WINDOW_SECONDS },
    callback: { limit: e.RATE_LIMIT_CALLBACK_PER_HOUR, windowSeconds: RATE_LIMIT_WINDOW_SECONDS },
    callbackPerNumber: { limit: e.RATE_LIMIT_CALLBACK_PER_NUMBER_PER_DAY, windowSeconds: DAY_WINDOW_SECONDS },
    callReportPerCall: { limit: e.RATE_LIMIT_CALL_REPORTS_PER_CALL_PER_DAY, windowSeconds: DAY_WINDOW_SECONDS },
    callReportPerUser: { limit: e.RATE_LIMIT_CALL_REPORTS_PER_USER_PER_DAY, windowSeconds: DAY_WINDOW_SECONDS },
    emailConfirmation: { limit: e.RATE_LIMIT_EMAIL_CONFIRMATIONS_PER_USER_PER_DAY, windowSeconds: DAY_WINDOW_SECONDS },
  }),
  {
    RATE_LIMIT_CONTACT_PER_HOUR: '10',
    RATE_LIMIT_CONTACT_WITHOUT_TOKEN_PER_HOUR: '3',
    RATE_LIMIT_CONTACT_WITHOUT_TOKEN_PER_EMAIL_PER_DAY: '2',
    RATE_LIMIT_SUPPORT_TICKET_PER_HOUR: '10',
    RATE_LIMIT_CALLBACK_PER_HOUR: '10',
    RATE_LIMIT_CALLBACK_PER_NUMBER_PER_DAY: '3',
    RATE_LIMIT_CALL_REPORTS_PER_CALL_PER_DAY: '3',
    RATE_LIMIT_CALL_REPORTS_PER_USER_PER_DAY: '10',
    RATE_LIMIT_EMAIL_CONFIRMATIONS_PER_USER_PER_DAY: '5',
  },
);
