// Delivering webhook events, one attempt at a time.
//
// dispatchAttempt — the dispatchWebhookDelivery worker, from a delivery row whose `dispatchRequestedAt`
// changed (a new delivery, a failure the schedule retries, a retry, a recovery): queues the next
// attempt with the wait until it is due (shared/queues/webhook-queue.ts). Handled twice, it queues two
// messages for one attempt: the consumer's claim makes the second one do nothing.
//
// runAttempt — the deliverWebhook consumer, one queue message per attempt:
//   1. a message that came early (a gap over SQS's 15 minutes) is sent on for the rest of its wait;
//   2. the delivery, its endpoint, its event and the account's state, read at once: a message whose
//      delivery, endpoint or account is gone, or whose attempt is not the delivery's next, is dropped;
//   3. a disabled endpoint: the delivery fails without an attempt (a recovery sends it later);
//   4. the attempt is claimed on the row (a duplicate message stops here);
//   5. the event's payload is POSTed to the endpoint's URL, signed with the endpoint's secrets (Standard
//      Webhooks: the event's id as `webhook-id` on every attempt), through the guarded fetch (the URL's
//      host resolved and refused when not public, at every attempt; the connection pinned to the
//      address checked; no redirects; 15 s; the first KB of the answer kept);
//   6. a 2xx is success; anything else fails the attempt, and the schedule (shared/model/webhook-events.ts)
//      gives the next one's time, unless this was its last or an attempt outside the schedule;
//   7. recorded on the row, conditional on the claim (the next attempt's dispatch follows from the row);
//   8. the endpoint's health: a success clears `failingSince`; a failure starts it, or, 5 days on,
//      disables the endpoint (the notifyWebhookDisabled worker emails the owner once).
import type { AttemptResult, DeliveryId, WebhookDeliveriesRepository, WebhookDeliveryRow } from '../db/webhook-deliveries';
import { signingSecrets, type WebhookSubscriptionsRepository } from '../db/webhook-subscriptions';
import { signatureHeaders } from '../crypto/standard-webhooks';
import { DISABLE_AFTER_FAILING_MS, delayBeforeAttempt } from '../model/webhook-events';
import type { GuardedOutcome, GuardedPost } from '../net/guarded-fetch';
import type { AttemptMessage, WebhookQueue } from '../queues/webhook-queue';

export interface DispatchDeps {
  deliveries: Pick<WebhookDeliveriesRepository, 'getDelivery'>;
  queue: Pick<WebhookQueue, 'send'>;
  now?: () => Date;
}

export async function dispatchAttempt(deps: DispatchDeps, id: DeliveryId): Promise<'queued' | 'nothing-due' | 'gone'> {
  const row = await deps.deliveries.getDelivery(id);
  if (!row) return 'gone';
  if (row.status !== 'pending' || row.nextAttempt === null || row.nextAttemptAt === null) return 'nothing-due';
  const now = (deps.now?.() ?? new Date()).getTime();
  const wait = Math.max(0, (Date.parse(row.nextAttemptAt) - now) / 1000);
  await deps.queue.send({ userId: id.userId, subscriptionId: id.subscriptionId, eventId: id.eventId, attempt: row.nextAttempt }, wait);
  return 'queued';
}

export interface AttemptDeps {
  deliveries: Pick<WebhookDeliveriesRepository, 'getDelivery' | 'getEvent' | 'claim' | 'record' | 'fail'>;
  subscriptions: Pick<WebhookSubscriptionsRepository, 'get' | 'markFailing' | 'clearFailing' | 'disable'>;
  /** The account's teardown state: any means the account is going or gone. */
  accountState: (userId: string) => Promise<string | undefined>;
  queue: Pick<WebhookQueue, 'sendOn'>;
  /** The guarded POST (shared/net/guarded-fetch.ts), composed with its resolver and policy. */
  post: (req: GuardedPost) => Promise<GuardedOutcome>;
  now?: () => Date;
}

export type AttemptOutcome =
  | 'waiting'
  | 'gone'
  | 'account-closed'
  | 'stale'
  | 'endpoint-disabled'
  | 'duplicate'
  | 'succeeded'
  | 'retrying'
  | 'failed'
  | 'lost-claim';

/** What a failed attempt's answer says in the log (never more than the kept bytes). */
function errorOf(outcome: GuardedOutcome): string | null {
  if (!outcome.ok) return `${outcome.reason}: ${outcome.message}`;
  return outcome.status >= 200 && outcome.status < 300 ? null : `HTTP ${outcome.status}`;
}

export async function runAttempt(deps: AttemptDeps, message: AttemptMessage): Promise<{ outcome: AttemptOutcome; status?: number | null; disabled?: boolean }> {
  if ((message.remainingSeconds ?? 0) > 0) {
    await deps.queue.sendOn(message);
    return { outcome: 'waiting' };
  }
  const id: DeliveryId = { userId: message.userId, subscriptionId: message.subscriptionId, eventId: message.eventId };
  const [delivery, endpoint, event, account] = await Promise.all([
    deps.deliveries.getDelivery(id),
    deps.subscriptions.get(id.userId, id.subscriptionId),
    deps.deliveries.getEvent(id.userId, id.eventId),
    deps.accountState(id.userId),
  ]);
  if (account) return { outcome: 'account-closed' };
  if (!delivery || !endpoint || !event) return { outcome: 'gone' };
  if (delivery.status !== 'pending' || delivery.nextAttempt !== message.attempt) return { outcome: 'stale' };
  const now = deps.now?.() ?? new Date();
  if (!endpoint.enabled) {
    await deps.deliveries.fail(id, message.attempt, 'the endpoint is disabled', now.toISOString());
    return { outcome: 'endpoint-disabled' };
  }
  if (!(await deps.deliveries.claim(id, message.attempt, now))) return { outcome: 'duplicate' };

  const headers = signatureHeaders({ id: id.eventId, body: event.payload, secrets: signingSecrets(endpoint, now), at: now });
  const answer = await deps.post({ url: endpoint.url, headers: { 'content-type': 'application/json', 'user-agent': 'Fonella-Webhooks/1.0', ...headers }, body: event.payload });
  const finished = deps.now?.() ?? new Date();
  const result: AttemptResult = {
    at: now.toISOString(),
    status: answer.ok ? answer.status : null,
    durationMs: answer.durationMs,
    error: errorOf(answer),
    response: answer.ok ? answer.body : null,
    succeeded: answer.ok && answer.status >= 200 && answer.status < 300,
  };
  const next = nextAttemptAt(delivery, message.attempt, result.succeeded, finished);
  if (!(await deps.deliveries.record(id, message.attempt, delivery.trigger, result, next))) return { outcome: 'lost-claim', status: result.status };

  let disabled = false;
  if (result.succeeded) {
    if (endpoint.failingSince) await deps.subscriptions.clearFailing(id.userId, id.subscriptionId);
  } else if (!endpoint.failingSince) {
    await deps.subscriptions.markFailing(id.userId, id.subscriptionId, result.at);
  } else if (finished.getTime() - Date.parse(endpoint.failingSince) >= DISABLE_AFTER_FAILING_MS) {
    disabled = await deps.subscriptions.disable(id.userId, id.subscriptionId, endpoint.failingSince, `every attempt failed since ${endpoint.failingSince}`, finished.toISOString());
  }
  return { outcome: result.succeeded ? 'succeeded' : next ? 'retrying' : 'failed', status: result.status, disabled };
}

/** When the attempt after a failed `attempt` is due: on the schedule for automatic deliveries, else never. */
function nextAttemptAt(delivery: Pick<WebhookDeliveryRow, 'automatic'>, attempt: number, succeeded: boolean, now: Date): string | null {
  if (succeeded || !delivery.automatic) return null;
  const wait = delayBeforeAttempt(attempt + 1);
  return wait === undefined ? null : new Date(now.getTime() + wait * 1000).toISOString();
}
