// Agent phones: the numbers a hotline rings for an agent, owned by the agent's user.
//   USER#<sub> / HOTLINE#PHONE#<id>   { id, userID, name, phone (E.164), isActive }   gsi1 AGENT_PHONE#<id>
// Listed with one Query over the owner's partition; found by id through gsi1 (then read consistently).
// A new phone's id comes from the agentPhone counter (shared/db/counters.ts). A new phone counts
// against its owner's quota (shared/db/quotas.ts) and holds only while the owner has no teardown
// record (`accountOpenCheck`), both in the creation's transaction.
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AccountClosedError } from '../errors';
import type { TableRef } from './client';
import { conditionFailed, retryingConflicts } from './conditional';
import { queryAll } from './query-all';
import { nextId, padId } from './counters';
import { USER_PK_PREFIX, afterPrefix, idOfKeyParser, userIdOfPk, userPk } from './keys';
import { quotaReached, quotaTake } from './quotas';
import { accountOpenCheck } from './teardowns';

export interface AgentPhoneRow {
  id: number;
  userID: number;
  name: string;
  /** E.164. */
  phone: string;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The sort-key prefix of a user's agent phones. */
export const AGENT_PHONE_SK_PREFIX = 'HOTLINE#PHONE#';
const SK_PREFIX = AGENT_PHONE_SK_PREFIX;
/** The stream filter of the phone rows. */
export const AGENT_PHONE_KEYS = { pk: USER_PK_PREFIX, sk: SK_PREFIX } as const;
const phoneKey = (sub: string, id: number) => ({ pk: userPk(sub), sk: `${SK_PREFIX}${padId(id)}` });
const lookupKey = (id: number) => ({ gsi1pk: `AGENT_PHONE#${id}`, gsi1sk: 'AGENT_PHONE' });

/** The phone a phone row's keys (a stream record's) name, with its owner. */
export const agentPhoneIdOfKey = /* @__PURE__ */ idOfKeyParser<{ sub: string; id: number }>(
  'an agent phone',
  ({ pk, sk }) => {
    const digits = afterPrefix(sk, SK_PREFIX);
    return { sub: userIdOfPk(pk), id: digits && /^[0-9]+$/.test(digits) ? Number(digits) : undefined };
  },
  ({ sub, id }) => phoneKey(sub, id),
);

export function agentPhonesRepository(t: TableRef) {
  return {
    /**
     * Stores a new phone of `sub` under a new id, counted against their quota of `quota` phones:
     * 'over-quota' (no id taken, nothing written) when they own that many; AccountClosedError when
     * their account is deleted or being deleted.
     */
    async create(sub: string, fields: Omit<AgentPhoneRow, 'id'>, quota: number): Promise<AgentPhoneRow | 'over-quota'> {
      if (await quotaReached(t, userPk(sub), 'agentPhones', quota)) return 'over-quota';
      const row: AgentPhoneRow = { id: await nextId(t, 'agentPhone'), ...fields };
      const counted = quotaTake(t, userPk(sub), 'agentPhones', quota);
      const open = accountOpenCheck(t, sub);
      const items = [
        {
          Put: {
            TableName: t.tableName,
            Item: { ...phoneKey(sub, row.id), ...lookupKey(row.id), entity: 'agentPhone', ...row },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        open,
        counted,
      ];
      try {
        await retryingConflicts(() => t.doc.send(new TransactWriteCommand({ TransactItems: items })));
        return row;
      } catch (err) {
        if (conditionFailed(err, items, open)) throw new AccountClosedError(sub);
        if (conditionFailed(err, items, counted)) return 'over-quota';
        throw err;
      }
    },

    /** The owner's phones, by id (`consistent`: a strongly consistent Query). */
    async listByOwner(sub: string, opts: { consistent?: boolean } = {}): Promise<AgentPhoneRow[]> {
      const out = await queryAll<AgentPhoneRow>(t, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': userPk(sub), ':sk': SK_PREFIX },
        ...(opts.consistent ? { ConsistentRead: true } : {}),
      });
      return out.map(view);
    },

    /** A phone by id, with its owner's Auth0 id. */
    async getById(id: number): Promise<{ sub: string; phone: AgentPhoneRow } | undefined> {
      const found = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
          ExpressionAttributeValues: { ':pk': lookupKey(id).gsi1pk, ':sk': lookupKey(id).gsi1sk },
          Limit: 1,
        }),
      );
      const pk = found.Items?.[0]?.pk;
      const sub = userIdOfPk(pk);
      if (sub === undefined) return undefined;
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: phoneKey(sub, id), ConsistentRead: true }));
      return res.Item ? { sub, phone: view(res.Item as AgentPhoneRow) } : undefined;
    },

    async update(sub: string, id: number, fields: Pick<AgentPhoneRow, 'name' | 'phone' | 'isActive' | 'updatedAt'>): Promise<AgentPhoneRow> {
      const res = await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: phoneKey(sub, id),
          UpdateExpression: 'SET #n = :n, phone = :p, isActive = :a, updatedAt = :u',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#n': 'name' },
          ExpressionAttributeValues: { ':n': fields.name, ':p': fields.phone, ':a': fields.isActive, ':u': fields.updatedAt },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return view(res.Attributes as AgentPhoneRow);
    },
  };
}

const view = (r: AgentPhoneRow): AgentPhoneRow => ({
  id: r.id,
  userID: r.userID,
  name: r.name,
  phone: r.phone,
  isActive: r.isActive,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export type AgentPhonesRepository = ReturnType<typeof agentPhonesRepository>;
