// Partners: resellers who refer customers and earn a commission. PARTNER#<id> / PROFILE, listed
// newest first through gsi2 (PARTNERS, <createdAt>#<id>). Each partner has a public referral code,
// unique through its own row PARTNER_CODE#<code> / CODE (written with the profile in one transaction,
// each conditional on not existing), and, until activation, a single-use invite token of which only
// the SHA-256 hash is stored, findable through gsi1 (PARTNER_INVITE#<hash>, PROFILE).
import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { applied, cancellationReasons, isConditionFailure } from './conditional';
import { decodeCursor, encodeCursor, type CursorKey } from './cursor';
import { afterPrefix, idOfKeyParser } from './keys';

export type PartnerStatus = 'invited' | 'active' | 'disabled';

export interface PartnerRow {
  partnerId: string;
  name: string;
  email: string;
  /** 0..100. */
  commissionPercent: number;
  status: PartnerStatus;
  /** The short public referral code (`?ref=<code>`). */
  publicCode: string;
  /** SHA-256 (hex) of the invite token, while one is outstanding; the token itself is never stored. */
  inviteTokenHash?: string;
  /** When the invite stops working. */
  inviteExpiresAt: string;
  /** Mailgun's id of the invite email, once sent. */
  inviteMailId?: string;
  inviteSentAt?: string;
  /** The language of the partner's emails (de, en). */
  locale?: string;
  /** The admin who invited the partner. */
  invitedBy: string;
  /** The partner's Auth0 user, once activated. */
  auth0UserId?: string;
  createdAt: string;
  updatedAt: string;
}

export const PARTNER_KEYS = { pk: 'PARTNER#', sk: 'PROFILE' } as const;
const PARTNER_LIST = 'PARTNERS';
const CODE_PREFIX = 'PARTNER_CODE#';
const INVITE_PREFIX = 'PARTNER_INVITE#';

export const partnerKey = (partnerId: string) => ({ pk: `${PARTNER_KEYS.pk}${partnerId}`, sk: PARTNER_KEYS.sk });
const codeKey = (code: string) => ({ pk: `${CODE_PREFIX}${code}`, sk: 'CODE' });
const listKey = (row: Pick<PartnerRow, 'createdAt' | 'partnerId'>) => ({ gsi2pk: PARTNER_LIST, gsi2sk: `${row.createdAt}#${row.partnerId}` });
const inviteLookup = (hash: string) => ({ gsi1pk: `${INVITE_PREFIX}${hash}`, gsi1sk: PARTNER_KEYS.sk });

/** The partner a profile row's keys (a stream record's) name. */
export const partnerIdOfKey = idOfKeyParser<{ partnerId: string }>('a partner profile', ({ pk }) => ({ partnerId: afterPrefix(pk, PARTNER_KEYS.pk) }), ({ partnerId }) => partnerKey(partnerId));

/** The hash under which an invite token is stored and found (hex SHA-256). */
export const hashInviteToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export interface PartnerPage {
  items: PartnerRow[];
  nextCursor: string | null;
}

export type CreatePartnerOutcome = 'created' | 'code-taken';

const CURSOR_KEYS = ['pk', 'sk', 'gsi2pk', 'gsi2sk'] as const;
const isPartnerCursor = (key: CursorKey) => {
  const m = /^\d{4}-\d\d-\d\dT[\d:.]+Z#(.+)$/.exec(key.gsi2sk ?? '');
  return key.gsi2pk === PARTNER_LIST && !!m && key.pk === partnerKey(m[1]!).pk && key.sk === PARTNER_KEYS.sk;
};

function partnerOf(item: Record<string, unknown>): PartnerRow {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, entity: _e, ...rest } = item;
  return rest as unknown as PartnerRow;
}

export function partnersRepository(t: TableRef) {
  const get = async (partnerId: string): Promise<PartnerRow | undefined> => {
    const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: partnerKey(partnerId), ConsistentRead: true }));
    return res.Item ? partnerOf(res.Item) : undefined;
  };

  return {
    get,

    /** Stores a new partner and reserves its public code, both or neither; `code-taken` when another partner has the code. */
    async create(row: PartnerRow): Promise<CreatePartnerOutcome> {
      try {
        await t.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: t.tableName,
                  Item: { ...codeKey(row.publicCode), entity: 'partnerCode', partnerId: row.partnerId },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: t.tableName,
                  Item: {
                    ...partnerKey(row.partnerId),
                    entity: 'partner',
                    ...listKey(row),
                    ...(row.inviteTokenHash ? inviteLookup(row.inviteTokenHash) : {}),
                    ...row,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return 'created';
      } catch (err) {
        if (cancellationReasons(err)?.[0]?.Code === 'ConditionalCheckFailed') return 'code-taken';
        throw err;
      }
    },

    /** One page of partners, newest first. */
    async list(input: { limit: number; cursor?: string }): Promise<PartnerPage> {
      const start = decodeCursor(input.cursor, { keys: CURSOR_KEYS, check: isPartnerCursor });
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': PARTNER_LIST },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
          Limit: input.limit + 1,
        }),
      );
      const rows = (res.Items ?? []) as Record<string, unknown>[];
      const items = rows.slice(0, input.limit);
      const last = items.at(-1);
      const next = rows.length > input.limit && last ? { pk: last.pk, sk: last.sk, gsi2pk: last.gsi2pk, gsi2sk: last.gsi2sk } : res.LastEvaluatedKey;
      return { items: items.map(partnerOf), nextCursor: encodeCursor(next) };
    },

    /** Changes commission and/or status; the row as stored afterwards, undefined when there is no such partner. */
    async update(partnerId: string, change: { commissionPercent?: number; status?: PartnerStatus; updatedAt: string }): Promise<PartnerRow | undefined> {
      const sets = ['updatedAt = :now'];
      const values: Record<string, unknown> = { ':now': change.updatedAt };
      if (change.commissionPercent !== undefined) {
        sets.push('commissionPercent = :c');
        values[':c'] = change.commissionPercent;
      }
      if (change.status !== undefined) {
        sets.push('#s = :s');
        values[':s'] = change.status;
      }
      try {
        const res = await t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: partnerKey(partnerId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: 'attribute_exists(pk)',
            ...(change.status !== undefined ? { ExpressionAttributeNames: { '#s': 'status' } } : {}),
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return partnerOf(res.Attributes ?? {});
      } catch (err) {
        if (isConditionFailure(err)) return undefined;
        throw err;
      }
    },

    /**
     * Stores the hash of a new invite token (and its lookup key) while the invite is not yet sent and
     * the partner still invited; a later token replaces an earlier unsent one. False otherwise.
     */
    async setInviteToken(partnerId: string, hash: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: partnerKey(partnerId),
            UpdateExpression: 'SET inviteTokenHash = :h, gsi1pk = :gpk, gsi1sk = :gsk',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(inviteMailId) AND #s = :invited',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':h': hash, ':gpk': inviteLookup(hash).gsi1pk, ':gsk': inviteLookup(hash).gsi1sk, ':invited': 'invited' },
          }),
        ),
      );
    },

    /** Marks the invite with this token's hash sent; false when another delivery marked it first. */
    async markInviteSent(partnerId: string, hash: string, mailId: string, sentAt: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: partnerKey(partnerId),
            UpdateExpression: 'SET inviteMailId = :id, inviteSentAt = :at',
            ConditionExpression: 'inviteTokenHash = :h AND attribute_not_exists(inviteMailId)',
            ExpressionAttributeValues: { ':id': mailId, ':at': sentAt, ':h': hash },
          }),
        ),
      );
    },

    /** The partner whose outstanding invite token has this hash (gsi1; eventually consistent). */
    async findByInviteTokenHash(hash: string): Promise<PartnerRow | undefined> {
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
          ExpressionAttributeValues: { ':pk': inviteLookup(hash).gsi1pk, ':sk': inviteLookup(hash).gsi1sk },
          Limit: 1,
        }),
      );
      const item = res.Items?.[0];
      return item && item.inviteTokenHash === hash ? partnerOf(item) : undefined;
    },

    /** The partner with this public referral code (two strongly consistent reads). */
    async findByPublicCode(code: string): Promise<PartnerRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: codeKey(code), ConsistentRead: true }));
      const partnerId = res.Item?.partnerId;
      return typeof partnerId === 'string' ? get(partnerId) : undefined;
    },
  };
}

export type PartnersRepository = ReturnType<typeof partnersRepository>;
