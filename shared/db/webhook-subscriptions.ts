// A customer's webhook endpoints: USER#<sub> / WEBHOOK#<id>, listed with one Query of the partition,
// counted against the account's limit by a quota row (USER#<sub> / QUOTA#webhooks) taken in the same
// transaction as the creation and given back with the deletion, each conditional on the account
// having no teardown record. The row keeps the signing secret (and, for a day after a rotation, the one
// before it), the endpoint's health (`failingSince`: the first failed attempt after the last success)
// and, once 5 days of failures disabled it, when and why (`disabledAt`, which the notifyWebhookDisabled
// worker emails once and marks with `disabledMailId`).
import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AccountClosedError } from '../errors';
import type { TableRef } from './client';
import { applied, conditionFailed, isConditionFailure } from './conditional';
import { USER_PK_PREFIX, afterPrefix, idOfKeyParser, userIdOfPk, userPk } from './keys';
import { quotaKey, quotaTake } from './quotas';
import { accountOpenCheck } from './teardowns';

export interface WebhookSubscriptionRow {
  subscriptionId: string;
  url: string;
  /** The event types it gets; `webhook.test` always reaches it. */
  eventTypes: string[];
  enabled: boolean;
  description: string | null;
  /** The secret messages are signed with now (`whsec_...`). */
  secret: string;
  /** The secret before the last rotation, still signing beside the new one until `previousSecretExpiresAt`. */
  previousSecret?: string;
  previousSecretExpiresAt?: string;
  createdAt: string;
  updatedAt: string;
  /** The first failed attempt since the last success: 5 days on, a failure disables the endpoint. */
  failingSince?: string;
  disabledAt?: string;
  disabledReason?: string;
  /** Mailgun's id of the email telling the owner it was disabled, once sent. */
  disabledMailId?: string;
}

export const WEBHOOK_SK_PREFIX = 'WEBHOOK#';
/** The stream filter of the endpoints' rows. */
export const WEBHOOK_SUBSCRIPTION_KEYS = { pk: USER_PK_PREFIX, sk: WEBHOOK_SK_PREFIX } as const;

export interface WebhookSubscriptionId {
  userId: string;
  subscriptionId: string;
}

export const webhookSubscriptionKey = ({ userId, subscriptionId }: WebhookSubscriptionId) => ({ pk: userPk(userId), sk: `${WEBHOOK_SK_PREFIX}${subscriptionId}` });

/** The endpoint a stream record's keys name. */
export const webhookSubscriptionIdOfKey = idOfKeyParser<WebhookSubscriptionId>(
  'a webhook endpoint',
  ({ pk, sk }) => ({ userId: userIdOfPk(pk), subscriptionId: afterPrefix(sk, WEBHOOK_SK_PREFIX) }),
  webhookSubscriptionKey,
);

/** The secrets that sign a message at `now`: the current one first, the previous one while it lasts. */
export function signingSecrets(row: Pick<WebhookSubscriptionRow, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>, now: Date): string[] {
  const previous = row.previousSecret && row.previousSecretExpiresAt && Date.parse(row.previousSecretExpiresAt) > now.getTime() ? [row.previousSecret] : [];
  return [row.secret, ...previous];
}

export type WebhookChanges = Partial<Pick<WebhookSubscriptionRow, 'url' | 'eventTypes' | 'enabled' | 'description'>>;

const strip = (item: Record<string, unknown>): WebhookSubscriptionRow => {
  const { pk: _pk, sk: _sk, entity: _e, ...rest } = item;
  return rest as unknown as WebhookSubscriptionRow;
};

export function webhookSubscriptionsRepository(t: TableRef) {
  const Key = (userId: string, subscriptionId: string) => webhookSubscriptionKey({ userId, subscriptionId });
  return {
    /**
     * Stores a new endpoint: false when the account has `limit` already; AccountClosedError when it is
     * being deleted.
     */
    async create(userId: string, row: WebhookSubscriptionRow, limit: number): Promise<boolean> {
      const open = accountOpenCheck(t, userId);
      const quota = quotaTake(t, userPk(userId), 'webhooks', limit);
      const items = [{ Put: { TableName: t.tableName, Item: { ...Key(userId, row.subscriptionId), entity: 'webhook', ...row }, ConditionExpression: 'attribute_not_exists(pk)' } }, quota, open];
      try {
        await t.doc.send(new TransactWriteCommand({ TransactItems: items }));
        return true;
      } catch (err) {
        if (conditionFailed(err, items, open)) throw new AccountClosedError(userId);
        if (conditionFailed(err, items, quota)) return false;
        throw err;
      }
    },

    /** Strongly consistent: a delivery must see a rotation or a disabling that just happened. */
    async get(userId: string, subscriptionId: string): Promise<WebhookSubscriptionRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: Key(userId, subscriptionId), ConsistentRead: true }));
      return res.Item ? strip(res.Item) : undefined;
    },

    /** Every endpoint of the user, oldest first (at most the limit, so one page). */
    async list(userId: string): Promise<WebhookSubscriptionRow[]> {
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': userPk(userId), ':p': WEBHOOK_SK_PREFIX },
          ConsistentRead: true,
        }),
      );
      return (res.Items ?? []).map(strip).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    },

    /**
     * Changes the fields given; re-enabling clears the health and the disabling. Answers the row as
     * stored, undefined when there is none.
     */
    async update(userId: string, subscriptionId: string, changes: WebhookChanges, now: string): Promise<WebhookSubscriptionRow | undefined> {
      const sets: string[] = ['updatedAt = :now'];
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':now': now };
      for (const [k, v] of Object.entries(changes)) {
        if (v === undefined) continue;
        names[`#${k}`] = k;
        values[`:${k}`] = v;
        sets.push(`#${k} = :${k}`);
      }
      const removes = changes.enabled === true ? ' REMOVE failingSince, disabledAt, disabledReason, disabledMailId' : '';
      try {
        const res = await t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: Key(userId, subscriptionId),
            UpdateExpression: `SET ${sets.join(', ')}${removes}`,
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return res.Attributes ? strip(res.Attributes) : undefined;
      } catch (err) {
        if (isConditionFailure(err)) return undefined;
        throw err;
      }
    },

    /** A new current secret, the old one kept until `previousExpiresAt`; undefined when there is no endpoint. */
    async rotateSecret(userId: string, subscriptionId: string, secret: string, previousExpiresAt: string, now: string): Promise<WebhookSubscriptionRow | undefined> {
      try {
        const res = await t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: Key(userId, subscriptionId),
            UpdateExpression: 'SET previousSecret = secret, previousSecretExpiresAt = :exp, secret = :secret, updatedAt = :now',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':secret': secret, ':exp': previousExpiresAt, ':now': now },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return res.Attributes ? strip(res.Attributes) : undefined;
      } catch (err) {
        if (isConditionFailure(err)) return undefined;
        throw err;
      }
    },

    /** Deletes the endpoint and gives its count back; false when there was none. */
    async delete(userId: string, subscriptionId: string): Promise<boolean> {
      const gone = { Delete: { TableName: t.tableName, Key: Key(userId, subscriptionId), ConditionExpression: 'attribute_exists(pk)' } };
      const giveBack = {
        Update: { TableName: t.tableName, Key: quotaKey(userPk(userId), 'webhooks'), UpdateExpression: 'ADD #used :minus', ConditionExpression: '#used > :zero', ExpressionAttributeNames: { '#used': 'used' }, ExpressionAttributeValues: { ':minus': -1, ':zero': 0 } },
      };
      try {
        await t.doc.send(new TransactWriteCommand({ TransactItems: [gone, giveBack] }));
        return true;
      } catch (err) {
        if (conditionFailed(err, [gone, giveBack], gone)) return false;
        // A count that is already zero (written before the count existed): the endpoint goes all the same.
        if (conditionFailed(err, [gone, giveBack], giveBack)) return applied(t.doc.send(new DeleteCommand({ TableName: t.tableName, Key: Key(userId, subscriptionId), ConditionExpression: 'attribute_exists(pk)' })));
        throw err;
      }
    },

    /** A failed attempt: the first since the last success starts the endpoint's failing time. */
    async markFailing(userId: string, subscriptionId: string, at: string): Promise<void> {
      await applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: Key(userId, subscriptionId),
            UpdateExpression: 'SET failingSince = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(failingSince)',
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
    },

    /** A successful attempt: the endpoint is healthy again. */
    async clearFailing(userId: string, subscriptionId: string): Promise<void> {
      await applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: Key(userId, subscriptionId),
            UpdateExpression: 'REMOVE failingSince',
            ConditionExpression: 'attribute_exists(failingSince)',
          }),
        ),
      );
    },

    /** Disables an endpoint failing since `failingSince`; false when it changed meanwhile (a success, a PATCH, another disabling). */
    async disable(userId: string, subscriptionId: string, failingSince: string, reason: string, at: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: Key(userId, subscriptionId),
            UpdateExpression: 'SET enabled = :false, disabledAt = :at, disabledReason = :reason, updatedAt = :at',
            ConditionExpression: 'enabled = :true AND failingSince = :since',
            ExpressionAttributeValues: { ':false': false, ':true': true, ':at': at, ':reason': reason, ':since': failingSince },
          }),
        ),
      );
    },

    /** Marks the disabling's email sent; false when it was marked already or the disabling is another one now. */
    async markDisabledMailSent(userId: string, subscriptionId: string, disabledAt: string, mailId: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: Key(userId, subscriptionId),
            UpdateExpression: 'SET disabledMailId = :id',
            ConditionExpression: 'disabledAt = :at AND attribute_not_exists(disabledMailId)',
            ExpressionAttributeValues: { ':id': mailId, ':at': disabledAt },
          }),
        ),
      );
    },
  };
}

export type WebhookSubscriptionsRepository = ReturnType<typeof webhookSubscriptionsRepository>;
