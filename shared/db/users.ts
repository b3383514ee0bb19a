// Users: everything under USER#<auth0 sub>. The settings row is created on the first authenticated
// call; the profile is one Query over the user's partition.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { TableRef } from './client';

export interface SettingsRow {
  userId: string;
  email: string | null;
  name: string | null;
  timezone: string;
  locale: string;
  role: 'owner' | 'member';
  ownerId?: string;
  createdAt: string;
  updatedAt: string;
}

export interface UserRows {
  settings?: SettingsRow;
  subscription?: { planId: string; status: string; currentPeriodEnd?: string | null };
  assistant?: { assistantId: string; greeting: string; language: string };
  integrations: { kind: 'pool' | 'sipgate' | 'external'; createdAt: string }[];
  referral?: { partnerId: string; referredAt: string };
}

const userPk = (userId: string) => `USER#${userId}`;
const INTEGRATION_PREFIX = 'INTEGRATION#';

export function usersRepository(t: TableRef) {
  return {
    /** All rows of one user, in one Query, sorted into their kinds. */
    async loadUser(userId: string): Promise<UserRows> {
      const rows: Record<string, unknown>[] = [];
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await t.doc.send(
          new QueryCommand({
            TableName: t.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': userPk(userId) },
            ExclusiveStartKey: cursor,
          }),
        );
        rows.push(...((page.Items ?? []) as Record<string, unknown>[]));
        cursor = page.LastEvaluatedKey;
      } while (cursor);

      const out: UserRows = { integrations: [] };
      for (const row of rows) {
        const sk = String(row.sk);
        const data = strip(row);
        if (sk === 'SETTINGS') out.settings = data as unknown as SettingsRow;
        else if (sk === 'SUBSCRIPTION') out.subscription = data as unknown as UserRows['subscription'];
        else if (sk === 'ASSISTANT') out.assistant = data as unknown as UserRows['assistant'];
        else if (sk === 'REFERRAL') out.referral = data as unknown as UserRows['referral'];
        else if (sk.startsWith(INTEGRATION_PREFIX)) {
          const kind = sk.slice(INTEGRATION_PREFIX.length).toLowerCase() as 'pool' | 'sipgate' | 'external';
          out.integrations.push({ kind, createdAt: String(row.createdAt) });
        }
      }
      return out;
    },

    /**
     * Creates the settings row unless it exists; returns the row that is stored afterwards. When
     * another request created it first, the failed condition hands back that row itself: a read
     * after the write could be eventually consistent and miss it.
     */
    async createSettingsIfMissing(settings: SettingsRow): Promise<{ created: boolean; settings: SettingsRow }> {
      try {
        await t.doc.send(
          new PutCommand({
            TableName: t.tableName,
            Item: { pk: userPk(settings.userId), sk: 'SETTINGS', entity: 'settings', ...settings },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { created: true, settings };
      } catch (err) {
        const old = (err as { name?: string; Item?: Record<string, AttributeValue> }).Item;
        if ((err as { name?: string }).name !== 'ConditionalCheckFailedException' || !old) throw err;
        return { created: false, settings: strip(unmarshall(old)) as unknown as SettingsRow };
      }
    },
  };
}

export type UsersRepository = ReturnType<typeof usersRepository>;

function strip(row: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, entity: _e, ...rest } = row;
  return rest;
}
