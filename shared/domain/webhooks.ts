// A customer's webhook endpoints and their delivery log (routes under /v1/me/webhooks; each acts on the
// caller's own partition only, so another account's endpoint is a 404 like a missing one).
//
// createWebhook — the URL checked (https, no credentials, its host and every address it resolves to
//   public; ../net/guarded-fetch.ts `checkUrl`), then the endpoint with a new secret (answered this
//   once) and its count against the account's limit, in one transaction. Every attempt checks the URL
//   again: a name that resolves elsewhere later is refused then.
// updateWebhook — the fields given; a new URL is checked as on creation; `enabled: true` clears a
//   disabling and the failing time.
// rotateSecret — a new secret, answered once; the old one signs beside it for 24 hours.
// sendTestEvent — a `webhook.test` event delivered to this endpoint alone, whatever its event types.
// listDeliveries, retryDelivery — the log, newest first; one more attempt of one delivery now.
// recoverDeliveries — a recovery record; the recoverWebhookDeliveries worker gives each delivery that
//   failed since `since` one more attempt, a page per stream record.
// notifyWebhookDisabled — the worker's email to the owner of an endpoint the deliveries disabled, once.
import { randomBytes } from 'node:crypto';
import { maskSecret, newSigningSecret } from '../crypto/signing-secrets';
import type { WebhookDeliveriesRepository, WebhookDeliveryRow, RecoveryId } from '../db/webhook-deliveries';
import { webhookEventId } from '../db/webhook-deliveries';
import type { WebhookChanges, WebhookSubscriptionRow, WebhookSubscriptionsRepository, WebhookSubscriptionId } from '../db/webhook-subscriptions';
import { webhookDisabledMail } from '../email/customer';
import { AppError, BadRequestError, ConflictError, NotFoundError } from '../errors';
import { localeOr } from '../model/locale';
import type { WebhookEventType } from '../model/webhook-events';
import { checkUrl, type GuardedFetchPolicy } from '../net/guarded-fetch';
import type { ResolveHost } from '../net/public-address';
import { logger } from '../observability/logger';
import type { Mailer } from '../providers/mailgun/port';
import { QuotaExceededError } from './quotas';
import { payloadOf, retentionTtl } from './webhook-events';
import { verifiedRecipient, type RecipientDeps } from './recipient';

/** How long the secret before a rotation still signs. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** 400 `webhook-url-refused`: the URL cannot be delivered to (why, naming `body.url`). */
export class WebhookUrlRefusedError extends AppError {
  constructor(reason: string) {
    const message = `${reason}: a webhook URL must be https on a public host.`;
    super(400, 'webhook-url-refused', 'Webhook URL refused', message, { errors: [{ path: 'body.url', message }] });
  }
}

export class WebhookNotFoundError extends NotFoundError {
  constructor(what = 'No webhook endpoint of yours has this id.') {
    super(what);
  }
}

export interface WebhookDeps {
  subscriptions: WebhookSubscriptionsRepository;
  deliveries: WebhookDeliveriesRepository;
  /** What a URL is checked with: the resolver and the local stack's allowances. */
  urls: GuardedFetchPolicy & { resolve: ResolveHost };
  limits: { endpointsPerUser: number; retentionDays: number };
  now?: () => Date;
}

const clock = (deps: { now?: () => Date }) => deps.now?.() ?? new Date();

/** The endpoint as answered: never its secret. */
export const webhookView = (r: WebhookSubscriptionRow, now: Date) => ({
  id: r.subscriptionId,
  url: r.url,
  eventTypes: r.eventTypes as WebhookEventType[],
  description: r.description ?? null,
  enabled: r.enabled,
  secretHint: maskSecret(r.secret),
  previousSecretExpiresAt: r.previousSecret && r.previousSecretExpiresAt && Date.parse(r.previousSecretExpiresAt) > now.getTime() ? r.previousSecretExpiresAt : null,
  failingSince: r.failingSince ?? null,
  disabledAt: r.disabledAt ?? null,
  disabledReason: r.disabledReason ?? null,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const deliveryView = (d: WebhookDeliveryRow) => ({
  id: d.eventId,
  eventType: d.eventType as WebhookEventType,
  occurredAt: d.occurredAt,
  createdAt: d.createdAt,
  status: d.status,
  attempts: d.attempts,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  lastDurationMs: d.lastDurationMs,
  lastResponse: d.lastResponse,
  lastAttemptAt: d.lastAttemptAt,
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
  log: d.log ?? [],
});

async function requireDeliverable(deps: Pick<WebhookDeps, 'urls'>, url: string): Promise<void> {
  const check = await checkUrl(url, deps.urls);
  if (!check.ok) throw new WebhookUrlRefusedError(check.reason);
}

async function endpointOf(deps: Pick<WebhookDeps, 'subscriptions'>, id: WebhookSubscriptionId): Promise<WebhookSubscriptionRow> {
  const row = await deps.subscriptions.get(id.userId, id.subscriptionId);
  if (!row) throw new WebhookNotFoundError();
  return row;
}

export async function createWebhook(
  deps: WebhookDeps,
  userId: string,
  body: { url: string; eventTypes: WebhookEventType[]; description?: string | null; enabled?: boolean },
) {
  await requireDeliverable(deps, body.url);
  const now = clock(deps);
  const stamp = now.toISOString();
  const row: WebhookSubscriptionRow = {
    subscriptionId: `wh_${randomBytes(12).toString('base64url')}`,
    url: body.url,
    eventTypes: body.eventTypes,
    enabled: body.enabled ?? true,
    description: body.description ?? null,
    secret: newSigningSecret(),
    createdAt: stamp,
    updatedAt: stamp,
  };
  if (!(await deps.subscriptions.create(userId, row, deps.limits.endpointsPerUser))) {
    throw new QuotaExceededError('webhooks', deps.limits.endpointsPerUser);
  }
  logger.info('webhook endpoint created', { subscriptionId: row.subscriptionId });
  return { ...webhookView(row, now), secret: row.secret };
}

export async function listWebhooks(deps: Pick<WebhookDeps, 'subscriptions' | 'now'>, userId: string) {
  const now = clock(deps);
  return { items: (await deps.subscriptions.list(userId)).map((r) => webhookView(r, now)) };
}

export async function getWebhook(deps: Pick<WebhookDeps, 'subscriptions' | 'now'>, id: WebhookSubscriptionId) {
  return webhookView(await endpointOf(deps, id), clock(deps));
}

export async function updateWebhook(deps: WebhookDeps, id: WebhookSubscriptionId, changes: WebhookChanges) {
  if (changes.url !== undefined) await requireDeliverable(deps, changes.url);
  const now = clock(deps);
  const row = await deps.subscriptions.update(id.userId, id.subscriptionId, changes, now.toISOString());
  if (!row) throw new WebhookNotFoundError();
  return webhookView(row, now);
}

export async function deleteWebhook(deps: Pick<WebhookDeps, 'subscriptions'>, id: WebhookSubscriptionId): Promise<void> {
  if (!(await deps.subscriptions.delete(id.userId, id.subscriptionId))) throw new WebhookNotFoundError();
}

export async function rotateSecret(deps: Pick<WebhookDeps, 'subscriptions' | 'now'>, id: WebhookSubscriptionId) {
  const now = clock(deps);
  const expires = new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString();
  const secret = newSigningSecret();
  const row = await deps.subscriptions.rotateSecret(id.userId, id.subscriptionId, secret, expires, now.toISOString());
  if (!row) throw new WebhookNotFoundError();
  logger.info('webhook secret rotated', { subscriptionId: id.subscriptionId });
  return { id: id.subscriptionId, secret, previousSecretExpiresAt: expires };
}

function requireEnabled(row: WebhookSubscriptionRow): void {
  if (!row.enabled) throw new ConflictError('The endpoint is disabled: enable it first (PATCH with `enabled: true`).', 'webhook-disabled');
}

export async function sendTestEvent(deps: Pick<WebhookDeps, 'subscriptions' | 'deliveries' | 'limits' | 'now'>, id: WebhookSubscriptionId) {
  requireEnabled(await endpointOf(deps, id));
  const now = clock(deps);
  const event = { type: 'webhook.test' as const, occurredAt: now.toISOString(), data: { webhookId: id.subscriptionId, message: 'A test event from Fonella.' } };
  const eventId = webhookEventId(now);
  const outcome = await deps.deliveries.createEvent(
    id.userId,
    { eventId, type: event.type, occurredAt: event.occurredAt, payload: payloadOf(event), createdAt: now.toISOString() },
    [id.subscriptionId],
    retentionTtl(now, deps.limits.retentionDays),
  );
  if (outcome !== 'created') throw new ConflictError('The test event could not be stored: retry.', 'webhook-test-not-stored');
  return { eventId };
}

export async function listDeliveries(deps: Pick<WebhookDeps, 'subscriptions' | 'deliveries'>, id: WebhookSubscriptionId, q: { limit: number; cursor?: string }) {
  await endpointOf(deps, id);
  const page = await deps.deliveries.list(id.userId, id.subscriptionId, q);
  return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
}

export async function retryDelivery(deps: Pick<WebhookDeps, 'subscriptions' | 'deliveries' | 'now'>, id: WebhookSubscriptionId & { eventId: string }) {
  requireEnabled(await endpointOf(deps, id));
  const delivery = await deps.deliveries.getDelivery(id);
  if (!delivery) throw new WebhookNotFoundError('This endpoint has no delivery with this id.');
  const now = clock(deps).toISOString();
  if (!(await deps.deliveries.requestAttempt(id, delivery, 'retry', now))) {
    throw new ConflictError('An attempt of this delivery is being made right now, or it changed meanwhile: look at the log and retry.', 'delivery-in-progress');
  }
  const stored = await deps.deliveries.getDelivery(id);
  return deliveryView(stored ?? delivery);
}

export async function recoverDeliveries(deps: Pick<WebhookDeps, 'subscriptions' | 'deliveries' | 'limits' | 'now'>, id: WebhookSubscriptionId, since: string) {
  requireEnabled(await endpointOf(deps, id));
  const now = clock(deps);
  const from = Date.parse(since);
  if (from > now.getTime()) throw new BadRequestError('recover-since-invalid', '`since` is in the future.');
  if (from < now.getTime() - deps.limits.retentionDays * 86_400_000) {
    throw new BadRequestError('recover-since-invalid', `\`since\` is older than the delivery log keeps (${deps.limits.retentionDays} days).`);
  }
  const recoveryId = `rcv_${randomBytes(9).toString('base64url')}`;
  const stored = await deps.deliveries.createRecovery(id.userId, {
    recoveryId,
    subscriptionId: id.subscriptionId,
    since: new Date(from).toISOString(),
    requestedAt: now.toISOString(),
    status: 'running',
    progress: 0,
    cursor: null,
    recovered: 0,
    ttl: retentionTtl(now, 1),
  });
  if (!stored) throw new ConflictError('The account is being deleted.', 'account-being-deleted');
  return { recoveryId, since: new Date(from).toISOString(), status: 'running' as const };
}

/** Failed deliveries one recovery page gives another attempt. */
export const RECOVERY_PAGE = 100;

/** One page of a recovery: each failed delivery since its `since` gets one more attempt; the page's mark brings the next. */
export async function recoverPage(deps: Pick<WebhookDeps, 'subscriptions' | 'deliveries' | 'now'>, id: RecoveryId): Promise<{ outcome: 'gone' | 'done' | 'page'; recovered?: number }> {
  const recovery = await deps.deliveries.getRecovery(id);
  if (!recovery) return { outcome: 'gone' };
  if (recovery.status === 'done') return { outcome: 'done', recovered: recovery.recovered };
  const endpoint = await deps.subscriptions.get(id.userId, id.subscriptionId);
  const page = endpoint?.enabled
    ? await deps.deliveries.failedSince(id.userId, id.subscriptionId, new Date(recovery.since), recovery.progress === 0 ? null : recovery.cursor, RECOVERY_PAGE)
    : { items: [], cursor: null };
  const now = clock(deps).toISOString();
  let recovered = recovery.recovered;
  for (const d of page.items) {
    if (await deps.deliveries.requestAttempt({ ...id, eventId: d.eventId }, d, 'recover', now)) recovered += 1;
  }
  await deps.deliveries.recoveryPageDone(id, recovery.progress, { cursor: page.cursor, recovered });
  return { outcome: 'page', recovered };
}

export interface DisabledMailDeps extends RecipientDeps {
  subscriptions: Pick<WebhookSubscriptionsRepository, 'get' | 'markDisabledMailSent'>;
  mailer: Mailer;
  portalUrl: string;
}

/** The email to the owner of an endpoint the deliveries disabled: once per disabling, to a verified address only. */
export async function notifyWebhookDisabled(deps: DisabledMailDeps, id: WebhookSubscriptionId): Promise<'sent' | 'already-sent' | 'not-disabled' | 'skipped-no-email'> {
  const row = await deps.subscriptions.get(id.userId, id.subscriptionId);
  if (!row || row.enabled || !row.disabledAt) return 'not-disabled';
  if (row.disabledMailId) return 'already-sent';
  const recipient = await verifiedRecipient(deps, id.userId);
  if (!recipient.email) {
    logger.warn('webhook disabled email skipped: no verified address', { subscriptionId: id.subscriptionId, missing: recipient.missing });
    return 'skipped-no-email';
  }
  const mail = webhookDisabledMail(localeOr(recipient.locale), { url: row.url, failingSince: row.failingSince ?? row.disabledAt, timeZone: recipient.timezone ?? 'Europe/Berlin', portalUrl: deps.portalUrl });
  const { id: mailId } = await deps.mailer.send({ ...mail, to: recipient.email, tags: ['webhook-disabled'], variables: { mail: 'webhook-disabled', webhookId: id.subscriptionId } });
  if (!(await deps.subscriptions.markDisabledMailSent(id.userId, id.subscriptionId, row.disabledAt, mailId))) {
    logger.warn('webhook disabled email sent, but the row was marked meanwhile', { subscriptionId: id.subscriptionId, mailId });
  }
  return 'sent';
}
