// API keys. Each key is two items, written and deleted together in one transaction with the account's
// key count, so a key is either whole or gone:
//   USER#<sub> / APIKEY#<keyId>            the key as its owner lists it (name, prefix, scopes, createdAt,
//                                          expiresAt) and its token's hash, which names the other item
//   APIKEY#<SHA-256 of the token> / APIKEY the lookup item: what a request's token finds with one
//                                          strongly consistent GetItem (owner, keyId, scopes, expiresAt),
//                                          and `lastUsedAt`, which only it carries
//   USER#<sub> / QUOTA#apiKeys             how many keys the account holds (shared/db/quotas.ts)
// The creation also checks that the account has no teardown record (`accountOpenCheck`). Deleting a
// key deletes its lookup item in the same transaction: a request after the deletion finds nothing
// (the read is strongly consistent, and nothing caches it). The token itself is in no item.
// `lastUsedAt` moves by a conditional update only when it is a minute old (`touch`), so a busy key
// costs one write a minute, not one per request. The account's teardown deletes the lookup items
// before the rest of the partition (`apiKeyLookupKeys`, shared/domain/teardown-steps.ts).
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyScope } from '../model/api-keys';
import { AccountClosedError } from '../errors';
import { getAll } from './batch';
import type { TableRef } from './client';
import { applied, conditionFailed, retryingConflicts } from './conditional';
import { userIdOfPk, userPk } from './keys';
import { queryAll } from './query-all';
import { quotaGiveBack, quotaKey, quotaReached, quotaTake } from './quotas';
import { accountOpenCheck } from './teardowns';

/** The sort key prefix of the owner's rows (`USER#<sub>` / `APIKEY#<keyId>`). */
export const API_KEY_SK_PREFIX = 'APIKEY#';
/** The partition key prefix of the lookup items (`APIKEY#<hash>`). */
export const API_KEY_LOOKUP_PK_PREFIX = 'APIKEY#';
const LOOKUP_SK = 'APIKEY';

const ownerKey = (userId: string, keyId: string) => ({ pk: userPk(userId), sk: `${API_KEY_SK_PREFIX}${keyId}` });
const lookupKey = (tokenHash: string) => ({ pk: `${API_KEY_LOOKUP_PK_PREFIX}${tokenHash}`, sk: LOOKUP_SK });

/** A key as its owner sees it (never its token or hash). */
export interface ApiKeyRow {
  keyId: string;
  name: string;
  /** The token's first 16 characters. */
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  /** When it stops working; null: never. */
  expiresAt: string | null;
  /** The last request it authenticated, to the minute; null: none yet. */
  lastUsedAt: string | null;
}

/** What a request's token finds: the key's owner and what the key may do. */
export interface ApiKeyLookup {
  userId: string;
  keyId: string;
  scopes: ApiKeyScope[];
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const text = (v: unknown) => (typeof v === 'string' ? v : null);

const rowOf = (item: Record<string, unknown>, lastUsedAt: string | null): ApiKeyRow => ({
  keyId: String(item.keyId),
  name: String(item.name),
  prefix: String(item.prefix),
  scopes: (item.scopes ?? []) as ApiKeyScope[],
  createdAt: String(item.createdAt),
  expiresAt: text(item.expiresAt),
  lastUsedAt,
});

/** The lookup items the account's key rows name: the teardown deletes them before the rows that name them. */
export function apiKeyLookupKeys(rows: { sk: string; [field: string]: unknown }[]): { pk: string; sk: string }[] {
  return rows.flatMap((r) => (r.sk.startsWith(API_KEY_SK_PREFIX) && typeof r.tokenHash === 'string' ? [lookupKey(r.tokenHash)] : []));
}

export function apiKeysRepository(t: TableRef) {
  return {
    /**
     * Stores a new key of `userId` (its two items and one more on the account's count), unless the
     * account holds `limit` keys already ('over-quota', nothing written). A closed account (a teardown
     * record) throws AccountClosedError.
     */
    async create(userId: string, key: Omit<ApiKeyRow, 'lastUsedAt'>, tokenHash: string, limit: number): Promise<'created' | 'over-quota'> {
      if (await quotaReached(t, userPk(userId), 'apiKeys', limit)) return 'over-quota';
      const fields = { keyId: key.keyId, name: key.name, prefix: key.prefix, scopes: key.scopes, createdAt: key.createdAt, expiresAt: key.expiresAt };
      const counted = quotaTake(t, userPk(userId), 'apiKeys', limit);
      const open = accountOpenCheck(t, userId);
      const items = [
        { Put: { TableName: t.tableName, Item: { ...ownerKey(userId, key.keyId), entity: 'apiKey', ...fields, tokenHash }, ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Put: {
            TableName: t.tableName,
            Item: { ...lookupKey(tokenHash), entity: 'apiKeyLookup', userId, ...fields },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        counted,
        open,
      ];
      try {
        await retryingConflicts(() => t.doc.send(new TransactWriteCommand({ TransactItems: items })));
        return 'created';
      } catch (err) {
        if (conditionFailed(err, items, open)) throw new AccountClosedError(userId);
        if (conditionFailed(err, items, counted)) return 'over-quota';
        throw err;
      }
    },

    /** The account's keys, newest first, each with its `lastUsedAt` (a Query, then the lookup items: two round trips). */
    async list(userId: string): Promise<ApiKeyRow[]> {
      const rows = await queryAll<Record<string, unknown>>(t, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': userPk(userId), ':sk': API_KEY_SK_PREFIX },
        ConsistentRead: true,
      });
      const lookups = await getAll(t, rows.map((r) => lookupKey(String(r.tokenHash))), { consistent: true });
      const lastUsed = new Map(lookups.map((l) => [String(l.keyId), text(l.lastUsedAt)]));
      return rows.map((r) => rowOf(r, lastUsed.get(String(r.keyId)) ?? null)).sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    },

    /** One of the account's keys (without `lastUsedAt`), with its token's hash (what `remove` takes), or undefined. */
    async get(userId: string, keyId: string): Promise<(Omit<ApiKeyRow, 'lastUsedAt'> & { tokenHash: string }) | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: ownerKey(userId, keyId), ConsistentRead: true }));
      if (typeof res.Item?.tokenHash !== 'string') return undefined;
      const { lastUsedAt: _none, ...row } = rowOf(res.Item, null);
      return { ...row, tokenHash: res.Item.tokenHash };
    },

    /**
     * Deletes the key read with `get` (both items) and counts it off the account, in one transaction;
     * false when it was deleted meanwhile.
     */
    async remove(userId: string, key: { keyId: string; tokenHash: string }): Promise<boolean> {
      const owned = {
        Delete: { TableName: t.tableName, Key: ownerKey(userId, key.keyId), ConditionExpression: 'tokenHash = :h', ExpressionAttributeValues: { ':h': key.tokenHash } },
      };
      const items = [owned, { Delete: { TableName: t.tableName, Key: lookupKey(key.tokenHash) } }, quotaGiveBack(t, userPk(userId), 'apiKeys')];
      try {
        await retryingConflicts(() => t.doc.send(new TransactWriteCommand({ TransactItems: items })));
        return true;
      } catch (err) {
        if (conditionFailed(err, items, owned)) return false;
        throw err;
      }
    },

    /** The key a token's hash names (one strongly consistent GetItem), or undefined: never issued, or deleted. */
    async lookup(tokenHash: string): Promise<ApiKeyLookup | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: lookupKey(tokenHash), ConsistentRead: true }));
      const item = res.Item;
      const userId = text(item?.userId);
      if (!item || !userId) return undefined;
      return { userId, keyId: String(item.keyId), scopes: (item.scopes ?? []) as ApiKeyScope[], expiresAt: text(item.expiresAt), lastUsedAt: text(item.lastUsedAt) };
    },

    /**
     * Sets the key's `lastUsedAt` to `now` when it is older than `staleBefore` (or unset): one
     * conditional update, whose failure (another request moved it, or the key is gone) is no error.
     */
    async touch(tokenHash: string, now: string, staleBefore: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: lookupKey(tokenHash),
            UpdateExpression: 'SET lastUsedAt = :now',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :stale)',
            ExpressionAttributeValues: { ':now': now, ':stale': staleBefore },
          }),
        ),
      );
    },
  };
}

/**
 * How many keys each of these accounts holds (their counts: one BatchGetItem per 100 accounts). Apart
 * from the repository, so that the admin's customer list bundles this read alone.
 */
export function apiKeyCounts(t: TableRef) {
  return async (userIds: string[]): Promise<Map<string, number>> => {
    const out = new Map(userIds.map((id) => [id, 0]));
    const items = await getAll(t, userIds.map((id) => quotaKey(userPk(id), 'apiKeys')));
    for (const item of items) {
      const id = userIdOfPk(item.pk);
      if (id !== undefined) out.set(id, Math.max(0, Number(item.used ?? 0)));
    }
    return out;
  };
}

export type ApiKeysRepository = ReturnType<typeof apiKeysRepository>;
