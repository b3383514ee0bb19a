// Calls: Vapi's end-of-call reports, stored once, summarised to the customer by email once, and listed
// in the portal.
//
// receiveVapiMessage — the webhook (POST /v1/webhooks/vapi; the secret header is checked by the route
// stack). Every message type but `end-of-call-report` is acknowledged without work. A report names
// its assistant; the assistant's gsi1 key names its owner (an unknown assistant is logged and
// acknowledged, so Vapi does not retry for ever); the owner's settings say what of the call is kept
// (`transcriptStorage`: `summary-only` drops transcript and recording link, `none` the summary too,
// before anything is written) and for how long (`callRetentionDays`, else the stage's default: the
// rows' TTL after the call's start); the call is stored once (shared/db/calls.ts). That is all the
// request does: one Query, one GetItem and one transaction of two puts.
//
// sendCallSummary — the worker, from the call row's INSERT, given the row's id (owner, start, call id):
// the owner's verified address (./recipient.ts: the settings' when verified, else Auth0's when Auth0
// says it is verified, then kept on the settings); without one the call is marked skipped
// (`summarySkipped`) and nothing is sent. The summary, the caller, the start in the owner's time
// zone and the deep link `<portal>/calls/<callId>`, in the owner's language; the row marked
// (`summaryMailId`), so a retried record sends nothing twice. The window left: Mailgun accepted, the
// mark not yet written; the retry then sends the email again.
import { DEFAULT_TRANSCRIPT_STORAGE, expiresAfterDays, type CallRetention, type TranscriptStorage } from '../config/retention';
import type { AssistantsRepository } from '../db/assistants';
import type { CallRow, CallRowId, CallsRepository } from '../db/calls';
import type { ToolCallsRepository } from '../db/tool-calls';
import type { UsersRepository } from '../db/users';
import { callSummaryMail } from '../email/customer';
import { localeOr, type Locale } from '../model/locale';
import { NotFoundError, ValidationError } from '../errors';
import { logger } from '../observability/logger';
import type { UserDirectory } from '../providers/auth0/port';
import type { Mailer } from '../providers/mailgun/port';
import { EndOfCallReport } from '../schemas/calls';
import { verifiedRecipient, type RecipientDeps } from './recipient';

export interface VapiWebhookDeps {
  assistants: Pick<AssistantsRepository, 'ownerOf'>;
  calls: Pick<CallsRepository, 'create'>;
  users: Pick<UsersRepository, 'findSettings'>;
  /** The stage's retention, for an owner who chose none. */
  callRetention: Pick<CallRetention, 'defaultDays'>;
  now?: () => Date;
}

/** What of a call's content is kept under each storage mode. */
export function keptContent(storage: TranscriptStorage, content: Pick<CallRow, 'summary' | 'transcript' | 'recordingUrl'>) {
  if (storage === 'full') return content;
  return { summary: storage === 'summary-only' ? content.summary : null, transcript: null, recordingUrl: null };
}

export type VapiOutcome = 'ignored' | 'stored' | 'duplicate' | 'unknown-assistant' | 'unresolvable';

export async function receiveVapiMessage(deps: VapiWebhookDeps, message: { type: string }): Promise<VapiOutcome> {
  if (message.type !== 'end-of-call-report') return 'ignored';
  const parsed = EndOfCallReport().safeParse(message);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((i) => ({ path: ['body', 'message', ...i.path.map(String)].join('.'), message: i.message })));
  }
  const r = parsed.data;
  const callId = r.call?.id;
  const assistantId = r.call?.assistantId ?? r.assistant?.id ?? undefined;
  // Acknowledged, not refused: a report that names no call or no assistant can never be resolved, and
  // a refusal would only make Vapi deliver it again.
  const missing = [...(callId ? [] : ['call.id']), ...(assistantId ? [] : ['call.assistantId or assistant.id'])];
  if (!callId || !assistantId) {
    logger.warn('end-of-call report without what it takes to store it: acknowledged, nothing stored', { missing, callId, assistantId });
    return 'unresolvable';
  }
  const userId = await deps.assistants.ownerOf(assistantId);
  if (!userId) {
    logger.warn('end-of-call report for an assistant we do not know: acknowledged, nothing stored', { assistantId, callId });
    return 'unknown-assistant';
  }
  const settings = await deps.users.findSettings(userId);
  const retentionDays = settings?.callRetentionDays ?? deps.callRetention.defaultDays;
  const storage = settings?.transcriptStorage ?? DEFAULT_TRANSCRIPT_STORAGE;
  const receivedAt = (deps.now?.() ?? new Date()).toISOString();
  const startedAt = isoOr(r.startedAt, receivedAt);
  const endedAt = isoOr(r.endedAt, startedAt);
  const callerNumber = r.call?.customer?.number ?? '';
  const call: CallRow = {
    callId,
    assistantId,
    // Only what looks like a phone number: it appears in the summary email's subject.
    callerNumber: /^\+?[0-9]{3,20}$/.test(callerNumber) ? callerNumber : null,
    calledNumber: /^\+?[0-9]{3,20}$/.test(r.phoneNumber?.number ?? '') ? r.phoneNumber!.number! : null,
    startedAt,
    endedAt,
    durationSeconds: Math.max(0, Math.round(r.durationSeconds ?? (Date.parse(endedAt) - Date.parse(startedAt)) / 1000)),
    endedReason: r.endedReason ?? null,
    ...keptContent(storage, {
      summary: r.analysis?.summary ?? r.summary ?? null,
      transcript: r.artifact?.transcript ?? r.transcript ?? null,
      recordingUrl: r.artifact?.recordingUrl ?? r.recordingUrl ?? null,
    }),
    cost: r.cost ?? null,
    receivedAt,
    // From the call's start, never later than its report came in (a start in the future would keep it longer).
    ttl: expiresAfterDays(new Date(Math.min(Date.parse(startedAt), Date.parse(receivedAt))), retentionDays),
  };
  const stored = await deps.calls.create(userId, call);
  logger.info('end-of-call report', { callId: call.callId, stored });
  return stored ? 'stored' : 'duplicate';
}

function isoOr(value: string | null | undefined, fallback: string): string {
  const t = value ? Date.parse(value) : NaN;
  return Number.isNaN(t) ? fallback : new Date(t).toISOString();
}

// --- the portal ----------------------------------------------------------------------------------

const view = (c: CallRow) => ({
  callId: c.callId,
  callerNumber: c.callerNumber,
  startedAt: c.startedAt,
  endedAt: c.endedAt,
  durationSeconds: c.durationSeconds,
  endedReason: c.endedReason,
  summary: c.summary,
  transcript: c.transcript,
  recordingUrl: c.recordingUrl,
  cost: c.cost,
});

export async function listCalls(deps: { calls: Pick<CallsRepository, 'list'> }, userId: string, q: { limit: number; cursor?: string }) {
  const page = await deps.calls.list(userId, { limit: q.limit, cursor: q.cursor });
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}

export class CallNotFoundError extends NotFoundError {
  constructor() {
    super('No call of yours has this id.');
  }
}

/** The call with the custom tools its assistant called (read side by side with it). */
export async function getCall(deps: { calls: Pick<CallsRepository, 'get'>; toolCalls: Pick<ToolCallsRepository, 'ofCall'> }, userId: string, callId: string) {
  const [call, toolCalls] = await Promise.all([deps.calls.get(userId, callId), deps.toolCalls.ofCall(userId, callId)]);
  if (!call) throw new CallNotFoundError();
  return {
    ...view(call),
    toolCalls: toolCalls.map((t) => ({ toolCallId: t.toolCallId, name: t.name, startedAt: t.startedAt, durationMs: t.durationMs, outcome: t.outcome, ...(t.status !== undefined ? { status: t.status } : {}) })),
  };
}

// --- the summary email ---------------------------------------------------------------------------

export interface CallSummaryDeps {
  calls: Pick<CallsRepository, 'getRow' | 'markSummarySent' | 'markSummarySkipped'>;
  users: RecipientDeps['users'];
  directory: Pick<UserDirectory, 'getUser'>;
  mailer: Mailer;
  portalUrl: string;
  now?: () => Date;
}

export type CallSummaryOutcome = 'sent' | 'already-sent' | 'already-skipped' | 'gone' | 'skipped-no-email' | 'skipped-unverified-email';

export async function sendCallSummary(deps: CallSummaryDeps, id: CallRowId): Promise<CallSummaryOutcome> {
  const call = await deps.calls.getRow(id);
  if (!call) return 'gone';
  if (call.summaryMailId) return 'already-sent';
  if (call.summarySkipped) return 'already-skipped';
  const { userId } = id;
  const recipient = await verifiedRecipient(deps, userId);
  const email = recipient.email;
  if (!email) {
    const reason = recipient.missing ?? 'no-email';
    logger.warn('call summary not sent: the owner has no verified email address', { callId: call.callId, reason });
    await deps.calls.markSummarySkipped(id, reason, (deps.now?.() ?? new Date()).toISOString());
    return `skipped-${reason}`;
  }
  const locale: Locale = localeOr(recipient.locale);
  const mail = callSummaryMail(locale, {
    summary: call.summary,
    callerNumber: call.callerNumber,
    startedAt: call.startedAt,
    durationSeconds: call.durationSeconds,
    timeZone: recipient.timezone || 'Europe/Berlin',
    link: `${deps.portalUrl}/calls/${encodeURIComponent(call.callId)}`,
  });
  const { id: mailId } = await deps.mailer.send({ ...mail, to: email, tags: ['call-summary'], variables: { mail: 'call-summary', callId: call.callId } });
  const marked = await deps.calls.markSummarySent(id, mailId, (deps.now?.() ?? new Date()).toISOString());
  if (!marked) logger.warn('call summary sent, but another delivery had marked it first', { callId: call.callId, mailId });
  return 'sent';
}
