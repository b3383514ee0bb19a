// How long personal data is kept.
// - The public forms (contact, support tickets, callback requests): their rows carry a TTL this many
//   days after they arrive, and DynamoDB deletes them then.
// - Calls: each account chooses how many days its calls are kept (`callRetentionDays`, within the
//   stage's bounds; the stage's default where it chose nothing) and what of a call is kept at all
//   (`transcriptStorage`). A call row carries a TTL that many days after the call's start.
import { defineConfig, positiveInt } from './define';

/**
 * The bounds of `callRetentionDays` the API documents and its request schema checks: a day to two
 * years. A stage may narrow them (lib/settings.ts keeps its own within these), never widen them.
 */
export const CALL_RETENTION_LIMITS = { min: 1, max: 730 } as const;

/** What of a call is kept: everything, the summary without transcript and recording, or neither. */
export const TRANSCRIPT_STORAGE = ['full', 'summary-only', 'none'] as const;
export type TranscriptStorage = (typeof TRANSCRIPT_STORAGE)[number];
/** What an account that chose nothing keeps. */
export const DEFAULT_TRANSCRIPT_STORAGE: TranscriptStorage = 'full';

export const retentionConfig = /* @__PURE__ */ defineConfig(
  'retention',
  {
    PUBLIC_FORM_RETENTION_DAYS: positiveInt,
    CALL_RETENTION_DAYS_DEFAULT: positiveInt,
    CALL_RETENTION_DAYS_MIN: positiveInt,
    CALL_RETENTION_DAYS_MAX: positiveInt,
  },
  (e) => ({
    publicFormDays: e.PUBLIC_FORM_RETENTION_DAYS,
    calls: { defaultDays: e.CALL_RETENTION_DAYS_DEFAULT, minDays: e.CALL_RETENTION_DAYS_MIN, maxDays: e.CALL_RETENTION_DAYS_MAX },
  }),
  { PUBLIC_FORM_RETENTION_DAYS: '180', CALL_RETENTION_DAYS_DEFAULT: '90', CALL_RETENTION_DAYS_MIN: '1', CALL_RETENTION_DAYS_MAX: '730' },
);

/** The stage's call retention: its default and its bounds, in days. */
export type CallRetention = ReturnType<typeof retentionConfig>['calls'];

/** The TTL attribute's value (epoch seconds) for a row that arrived at `from` and is kept `days`. */
export const expiresAfterDays = (from: Date, days: number) => Math.floor(from.getTime() / 1000) + days * 86400;
