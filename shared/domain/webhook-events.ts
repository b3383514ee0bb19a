// emitWebhookEvent — the emitWebhookEvents worker: what already happens in an account, seen on the
// table's stream (the outbox), becomes a webhook event for the account's endpoints that want it.
//   input: one stream record of the account's partition; output: what it did.
//   1. the event the record stands for, if any (`eventOf`): a call row's INSERT is `call.ended`, a call
//      report's `call.report.created`; a subscription whose plan, status, period, pending change or
//      cancellation changed `subscription.updated`; a ready assistant whose greeting or language changed
//      `assistant.updated`; a line that became active (a pool number once bound) `phone-line.added`, its
//      row's removal `phone-line.removed`. Other changes of those rows (claims, marks) are no event;
//   2. the account's enabled endpoints subscribed to its type: none, and nothing is stored;
//   3. the event (its payload as it will be sent) and one pending delivery per endpoint, in one
//      transaction conditional on the event not existing and the account having no teardown record.
//      The event's id is derived from what it is about (the call's id; else the record's keys and
//      stream event id) and its time, so a record handled twice writes one event; the dispatch worker
//      queues each delivery's first attempt from its INSERT.
import type { RowKeys } from '../db/keys';
import { INTEGRATION_SK_PREFIX, userIdOfPk } from '../db/keys';
import { ASSISTANT_SK } from '../db/assistants';
import { CALL_KEYS } from '../db/calls';
import { CALL_REPORT_KEYS } from '../db/call-reports';
import { POOL_LINE_SK } from '../db/pool';
import { SUBSCRIPTION_SK } from '../db/subscriptions';
import { webhookEventId, type WebhookDeliveriesRepository } from '../db/webhook-deliveries';
import type { WebhookSubscriptionsRepository } from '../db/webhook-subscriptions';
import type { WebhookEventType } from '../model/webhook-events';

type Item = Record<string, unknown>;

/** A stream record as the worker stack hands it (shared/streams/worker.ts StreamRow), with its time. */
export interface SourceRecord {
  event: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventId: string;
  keys: RowKeys;
  newImage?: Item;
  oldImage?: Item;
  /** When the change was made (the stream record's approximate creation time). */
  at: Date;
}

export interface WebhookEvent {
  type: WebhookEventType;
  occurredAt: string;
  data: Record<string, unknown>;
  /** What makes its id: the same thing seen again is the same event. */
  seed: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const subscriptionView = (row: Item | undefined) =>
  row && row.status
    ? {
        planId: String(row.planId),
        status: str(row.status),
        currentPeriodEnd: str(row.currentPeriodEnd),
        cancelAtPeriodEnd: row.cancelAtPeriodEnd === true,
        pendingChange: row.pendingChange ? { planId: String((row.pendingChange as Item).planId), effectiveAt: str((row.pendingChange as Item).effectiveAt) } : null,
      }
    : undefined;

const assistantView = (row: Item | undefined) =>
  row?.status === 'ready' ? { assistantId: String(row.assistantId), greeting: str(row.greeting), language: str(row.language), updatedAt: str(row.updatedAt) } : undefined;

const lineKind = (sk: string): 'pool' | 'sipgate' | 'external' | undefined =>
  sk === POOL_LINE_SK ? 'pool' : sk === `${INTEGRATION_SK_PREFIX}SIPGATE` ? 'sipgate' : sk === `${INTEGRATION_SK_PREFIX}EXTERNAL` ? 'external' : undefined;

/** The event a record of the account's partition stands for, if any (see the file header). */
export function eventOf(record: SourceRecord, portalUrl: string): WebhookEvent | undefined {
  const { sk } = record.keys;
  const { newImage: now, oldImage: before } = record;
  const at = record.at.toISOString();
  const seed = (type: string) => `${type}|${record.keys.pk}|${sk}|${record.eventId}`;

  if (sk.startsWith(CALL_REPORT_KEYS.sk)) {
    if (record.event !== 'INSERT' || !now) return undefined;
    return {
      type: 'call.report.created',
      occurredAt: str(now.reportedAt) ?? at,
      seed: seed('call.report.created'),
      data: { reportId: now.reportId, callId: now.callId, callStartedAt: now.callStartedAt, description: now.description, locale: now.locale, reportedAt: now.reportedAt },
    };
  }
  if (sk.startsWith(CALL_KEYS.sk)) {
    if (record.event !== 'INSERT' || !now) return undefined;
    const callId = String(now.callId);
    return {
      type: 'call.ended',
      occurredAt: str(now.endedAt) ?? at,
      // The call, whichever record brings it: a call is one event.
      seed: `call.ended|${record.keys.pk}|${callId}`,
      data: {
        callId,
        assistantId: now.assistantId,
        from: str(now.callerNumber),
        to: str(now.calledNumber),
        startedAt: now.startedAt,
        endedAt: now.endedAt,
        durationSeconds: now.durationSeconds,
        endedReason: str(now.endedReason),
        summary: str(now.summary),
        transcript: str(now.transcript),
        portalUrl: `${portalUrl}/calls/${encodeURIComponent(callId)}`,
      },
    };
  }
  if (sk === SUBSCRIPTION_SK) {
    const view = subscriptionView(now);
    if (!view || same(view, subscriptionView(before))) return undefined;
    return { type: 'subscription.updated', occurredAt: at, seed: seed('subscription.updated'), data: view };
  }
  if (sk === ASSISTANT_SK) {
    const view = assistantView(now);
    const old = assistantView(before);
    if (!view || (old && old.greeting === view.greeting && old.language === view.language && old.assistantId === view.assistantId)) return undefined;
    return { type: 'assistant.updated', occurredAt: at, seed: seed('assistant.updated'), data: view };
  }
  const kind = lineKind(sk);
  if (kind) {
    const usable = (row: Item | undefined) => (kind === 'pool' ? Boolean(row?.vapiPhoneNumberId) : row?.state === 'active');
    if (record.event === 'REMOVE') {
      // A pool line's binding is taken off just before the row goes; a Sipgate or external line stays active until then.
      if (!before || (kind !== 'pool' && !usable(before))) return undefined;
      return { type: 'phone-line.removed', occurredAt: at, seed: seed('phone-line.removed'), data: { kind, number: str(before.number) } };
    }
    if (usable(now) && !usable(before)) return { type: 'phone-line.added', occurredAt: at, seed: seed('phone-line.added'), data: { kind, number: str(now?.number) } };
  }
  return undefined;
}

export interface EmitDeps {
  subscriptions: Pick<WebhookSubscriptionsRepository, 'list'>;
  deliveries: Pick<WebhookDeliveriesRepository, 'createEvent'>;
  portalUrl: string;
  retentionDays: number;
  now?: () => Date;
}

export type EmitOutcome = 'no-event' | 'no-endpoint' | 'created' | 'exists' | 'account-closed';

/** The Standard Webhooks payload of an event: `{type, timestamp, data}`. */
export const payloadOf = (e: Pick<WebhookEvent, 'type' | 'occurredAt' | 'data'>) => JSON.stringify({ type: e.type, timestamp: e.occurredAt, data: e.data });

export async function emitWebhookEvent(deps: EmitDeps, record: SourceRecord): Promise<{ outcome: EmitOutcome; type?: string; eventId?: string; deliveries?: number }> {
  const userId = userIdOfPk(record.keys.pk);
  const event = userId ? eventOf(record, deps.portalUrl) : undefined;
  if (!userId || !event) return { outcome: 'no-event' };
  const endpoints = (await deps.subscriptions.list(userId)).filter((s) => s.enabled && s.eventTypes.includes(event.type));
  if (endpoints.length === 0) return { outcome: 'no-endpoint', type: event.type };
  const now = deps.now?.() ?? new Date();
  const eventId = webhookEventId(new Date(event.occurredAt), event.seed);
  const outcome = await deps.deliveries.createEvent(
    userId,
    { eventId, type: event.type, occurredAt: event.occurredAt, payload: payloadOf(event), createdAt: now.toISOString() },
    endpoints.map((s) => s.subscriptionId),
    retentionTtl(now, deps.retentionDays),
  );
  return { outcome: outcome === 'closed' ? 'account-closed' : outcome, type: event.type, eventId, deliveries: endpoints.length };
}

/** Epoch seconds `days` after `now`: when a webhook row goes. */
export const retentionTtl = (now: Date, days: number) => Math.floor(now.getTime() / 1000) + days * 86_400;
