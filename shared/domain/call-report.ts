// A customer reports one of their calls for review (Microsoft Store policy 11.16: users can report
// AI-generated content), in two steps.
//
// reportCall — the route (POST /v1/me/call-reports).
//   input: the caller, the validated report (call id, the call's start, description, language?) and
//   the request's Accept-Language; output: the report's id.
//   1. read the call as the caller's (another user's call is answered as unknown: 404 `call-not-found`)
//      and the caller's settings, side by side;
//   2. the start given must be the stored call's (the same instant, in any offset): otherwise 400
//      `call-start-mismatch` naming `body.startedAt`, so a stale or mistyped reference is refused
//      rather than filed against the wrong call;
//   3. count the report against the limits per call and per reporter and day
//      (RATE_LIMIT_CALL_REPORTS_PER_CALL_PER_DAY, RATE_LIMIT_CALL_REPORTS_PER_USER_PER_DAY): over one,
//      429 `rate-limited` with Retry-After and nothing stored;
//   4. store the report as its own row under a new random id, with the reporter's address only when it
//      is verified (the settings' when verified, else the token's when Auth0 verified it; else none)
//      and its language (the body's, else the settings', else Accept-Language). Nothing else happens
//      in the request: 202 once the row is written. A call reported twice is two reports.
//
// notifyCallReport — the worker, from the report row's INSERT on the table's stream (the report's id:
//   reporter, report time, report id).
//   1. read the row as it is now (strongly consistent); nothing to do if it is gone or already marked;
//   2. email the review inbox (TEAM_LOCALE; reply-to the reporter's verified address when there is one) with the
//      call's portal link, the reporter, the call's start, the report's language and the description,
//      then mark `mailId` on the row.
//   A failed send throws and the stream retries the record; a marked row sends nothing again. The
//   window that remains (Mailgun accepted, the mark not yet written) sends that one email again.
import { randomUUID } from 'node:crypto';
import type { RateLimit } from '../config/rate-limits';
import type { CallReportId, CallReportRow, CallReportsRepository } from '../db/call-reports';
import type { CallsRepository } from '../db/calls';
import type { RateLimitsRepository } from '../db/rate-limits';
import type { SettingsRow } from '../db/users';
import { localeFromAcceptLanguage } from '../email/language';
import { callReportMail } from '../email/team';
import { DEFAULT_LOCALE, LOCALES, TEAM_LOCALE, type Locale } from '../model/locale';
import { AppError } from '../errors';
import type { Caller } from '../model/caller';
import { logger } from '../observability/logger';
import type { Mailer } from '../providers/mailgun/port';
import { Email } from '../schemas/common';
import { hasVerifiedEmail } from './recipient';
import { enforceUserRateLimit } from './user-rate-limits';

/** The rate limits' names (their counters' keys): reports of one call, and of one reporter, per day. */
export const CALL_REPORT_PER_CALL_RATE_LIMIT = 'call-report-call';
export const CALL_REPORT_PER_USER_RATE_LIMIT = 'call-report-user';

/** No call of the caller has this id: 404 `call-not-found` (another user's call included). */
export class ReportedCallNotFoundError extends AppError {
  constructor() {
    super(404, 'call-not-found', 'Not found', 'No call of yours has this id.');
  }
}

/** The start given is not the stored call's: 400 `call-start-mismatch`, naming the field. */
export class CallStartMismatchError extends AppError {
  constructor() {
    const detail = "`startedAt` is not this call's start.";
    super(400, 'call-start-mismatch', 'Bad request', detail, {
      errors: [{ path: 'body.startedAt', message: "Must be the call's start, as GET /v1/me/calls answers it." }],
    });
  }
}

export interface CallReportForm {
  callId: string;
  startedAt: string;
  description: string;
  locale?: Locale;
}

export interface ReportCallDeps {
  calls: Pick<CallsRepository, 'get'>;
  callReports: Pick<CallReportsRepository, 'create'>;
  /** The caller's settings (USER#<sub> / SETTINGS), when they exist. */
  settings: (userId: string) => Promise<Pick<SettingsRow, 'email' | 'emailVerified' | 'locale'> | undefined>;
  rateLimits: RateLimitsRepository;
  limits: { perCall: RateLimit; perUser: RateLimit };
  now?: () => Date;
  newReportId?: () => string;
}

const isLocale = (value: unknown): value is Locale => (LOCALES as readonly unknown[]).includes(value);
const validEmail = (value: string | null | undefined) => (value && Email.safeParse(value).success ? value : undefined);

export async function reportCall(
  deps: ReportCallDeps,
  input: { caller: Pick<Caller, 'id' | 'email' | 'emailVerified'>; report: CallReportForm; acceptLanguage?: string },
): Promise<{ reportId: string }> {
  const { caller, report } = input;
  const [call, settings] = await Promise.all([deps.calls.get(caller.id, report.callId), deps.settings(caller.id)]);
  if (!call) throw new ReportedCallNotFoundError();
  if (Date.parse(report.startedAt) !== Date.parse(call.startedAt)) throw new CallStartMismatchError();
  const now = deps.now?.() ?? new Date();
  await enforceUserRateLimit(deps.rateLimits, {
    form: CALL_REPORT_PER_CALL_RATE_LIMIT,
    userId: caller.id,
    thing: call.callId,
    rule: deps.limits.perCall,
    now,
    detail: 'This call was reported more often today than the limit allows.',
  });
  await enforceUserRateLimit(deps.rateLimits, {
    form: CALL_REPORT_PER_USER_RATE_LIMIT,
    userId: caller.id,
    rule: deps.limits.perUser,
    now,
    detail: 'You reported more calls today than the limit allows.',
  });
  // Only a verified address becomes the review email's reply-to: never one a user merely typed.
  const verified = hasVerifiedEmail(settings) ? settings.email : caller.emailVerified ? caller.email : undefined;

  const row: CallReportRow = {
    reportId: deps.newReportId?.() ?? randomUUID(),
    callId: call.callId,
    callStartedAt: call.startedAt,
    description: report.description,
    locale: report.locale ?? (isLocale(settings?.locale) ? settings.locale : localeFromAcceptLanguage(input.acceptLanguage)),
    reporterEmail: validEmail(verified) ?? null,
    reportedAt: now.toISOString(),
  };
  if (!(await deps.callReports.create(caller.id, row))) throw new Error('call report id taken');
  logger.info('call reported', { reportId: row.reportId, callId: row.callId });
  return { reportId: row.reportId };
}

export interface CallReportMailDeps {
  callReports: Pick<CallReportsRepository, 'get' | 'markSent'>;
  mailer: Mailer;
  reviewInbox: string;
  /** The customer portal's base URL, without a trailing slash. */
  portalUrl: string;
  now?: () => Date;
}

export type CallReportMailOutcome = 'sent' | 'already-sent' | 'gone';

export async function notifyCallReport(deps: CallReportMailDeps, id: CallReportId): Promise<CallReportMailOutcome> {
  const row = await deps.callReports.get(id);
  if (!row) return 'gone';
  if (row.mailId) return 'already-sent';
  const mail = callReportMail(TEAM_LOCALE, {
    reportId: row.reportId,
    callId: row.callId,
    callStartedAt: row.callStartedAt,
    locale: isLocale(row.locale) ? row.locale : DEFAULT_LOCALE,
    reporterId: id.userId,
    reporterEmail: row.reporterEmail,
    description: row.description,
    reportedAt: row.reportedAt,
    link: `${deps.portalUrl}/calls/${encodeURIComponent(row.callId)}`,
  });
  const { id: mailId } = await deps.mailer.send({
    ...mail,
    to: deps.reviewInbox,
    // The validated address alone: a display name built from user text could add addresses.
    ...(row.reporterEmail ? { replyTo: row.reporterEmail } : {}),
    tags: ['call-report'],
    variables: { mail: 'call-report', reportId: row.reportId, callId: row.callId },
  });
  const marked = await deps.callReports.markSent(id, mailId, (deps.now?.() ?? new Date()).toISOString());
  if (!marked) logger.warn('call report email sent, but another delivery had marked it first', { reportId: row.reportId, mailId });
  return 'sent';
}
