// What links people to partners, beside the partner's PROFILE row (shared/db/partners.ts):
// - USER#<sub> / PARTNER_LINK: the Auth0 user a partner activated as (one partner per user), read by
//   every partner route with one strongly consistent GetItem on the caller's id;
// - USER#<sub> / REFERRAL: the partner a customer was referred by, saved once; gsi1
//   REFERRED_BY#<partnerId>, <referredAt>#<sub> lists a partner's customers, newest first.
// Both live in the user's partition, so the profile's Query sees them and an account's teardown
// removes them with the rest of the user's rows.
import { BatchGetCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import type { ItemRead } from './get-items';
import { queryAll } from './query-all';
import { applied, cancellationReasons, isConditionFailure } from './conditional';
import { partnerKey, type PartnerRow } from './partners';
import { putIfAbsent, type PutOutcome } from './put-if-absent';
import { subscriptionEnded, subscriptionInForce, subscriptionKey } from './subscriptions';
import { SETTINGS_SK, settingsKey } from './users';
import type { Sealed } from '../crypto/envelope';
import { userIdOfPk, userPk } from './keys';

export const PARTNER_LINK_SK = 'PARTNER_LINK';
const linkKey = (userId: string) => ({ pk: userPk(userId), sk: PARTNER_LINK_SK });
export const REFERRAL_SK = 'REFERRAL';
const referralKey = (userId: string) => ({ pk: userPk(userId), sk: REFERRAL_SK });
const REFERRED_BY = 'REFERRED_BY#';


export interface PartnerLinkRow {
  userId: string;
  partnerId: string;
  linkedAt: string;
}

export interface ReferralRow {
  userId: string;
  partnerId: string;
  referredAt: string;
  /** What the customer passed: the partner's public code or its legacy user id. */
  refId: string;
}

/** The partner the user is linked to, read with other rows (shared/db/get-items.ts). */
export const partnerLinkRead = (userId: string): ItemRead<PartnerLinkRow | undefined> => ({ key: linkKey(userId), of: (item) => strip<PartnerLinkRow>(item) });

/** The customer's referral, when saved, read with other rows (shared/db/get-items.ts). */
export const referralRead = (userId: string): ItemRead<ReferralRow | undefined> => ({ key: referralKey(userId), of: (item) => strip<ReferralRow>(item) });

/** Payout details as the profile row keeps them: the bank fields sealed, the rest readable. */
export interface StoredPayoutDetails {
  /** IBAN and account holder, whichever were given (null before either was). */
  sealed: Sealed | null;
  payoutIbanMasked: string | null;
  payoutAccountHolderMasked: string | null;
  payoutBic: string | null;
  payoutBankName: string | null;
  billingCompany: string | null;
  billingName: string | null;
  billingStreet: string | null;
  billingZip: string | null;
  billingCity: string | null;
  billingCountry: string | null;
  billingVatId: string | null;
  updatedAt: string;
}

/** What saving the payout details found: saved, the partner gone, or stored details other than those the save merged into. */
export type PayoutSaveOutcome = 'saved' | 'partner-gone' | 'changed-meanwhile';

/** The partner row with what activation and the portal add to it. */
export type PartnerRecord = PartnerRow & {
  activatedAt?: string;
  /** When the invite was used: it never works again. */
  inviteUsedAt?: string;
  payoutDetails?: StoredPayoutDetails;
};

export type ActivationOutcome =
  | { outcome: 'activated' }
  /** The partner's invite no longer matches: used, replaced or expired meanwhile. */
  | { outcome: 'invite-gone' }
  /** The caller is already linked to a partner (this one or another). */
  | { outcome: 'user-linked'; partnerId: string | undefined };

function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, entity: _e, ...rest } = item;
  return rest as T;
}

export function partnerAccountsRepository(t: TableRef) {
  return {
    /** The partner the user is linked to (strongly consistent). */
    async findLink(userId: string): Promise<PartnerLinkRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: linkKey(userId), ConsistentRead: true }));
      return strip<PartnerLinkRow>(res.Item);
    },

    /**
     * Links the user to the partner and makes the partner active, both or neither: the link only if the
     * user has none, the partner only while this invite (its hash) is outstanding and unexpired and the
     * partner not disabled. Of two activations with one token, one wins.
     */
    async activate(input: { userId: string; partnerId: string; inviteTokenHash: string; now: string }): Promise<ActivationOutcome> {
      try {
        await t.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: t.tableName,
                  Item: { ...linkKey(input.userId), entity: 'partnerLink', userId: input.userId, partnerId: input.partnerId, linkedAt: input.now },
                  ConditionExpression: 'attribute_not_exists(pk)',
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
              {
                Update: {
                  TableName: t.tableName,
                  Key: partnerKey(input.partnerId),
                  UpdateExpression: 'SET #s = :active, auth0UserId = :user, activatedAt = :now, inviteUsedAt = :now, updatedAt = :now',
                  ConditionExpression:
                    'inviteTokenHash = :h AND #s <> :disabled AND attribute_not_exists(auth0UserId) AND attribute_not_exists(inviteUsedAt) AND inviteExpiresAt > :now',
                  ExpressionAttributeNames: { '#s': 'status' },
                  ExpressionAttributeValues: { ':active': 'active', ':disabled': 'disabled', ':user': input.userId, ':now': input.now, ':h': input.inviteTokenHash },
                },
              },
            ],
          }),
        );
        return { outcome: 'activated' };
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (!reasons) throw err;
        if (reasons[0]?.Code === 'ConditionalCheckFailed') {
          const existing = reasons[0].Item?.partnerId?.S;
          return { outcome: 'user-linked', partnerId: existing };
        }
        if (reasons[1]?.Code === 'ConditionalCheckFailed') return { outcome: 'invite-gone' };
        throw err;
      }
    },

    /**
     * Takes the user off the partner they activated (their account is being deleted): the partner keeps
     * its record, disabled, without the user's id. Nothing when another user holds it, or none.
     */
    async releaseLink(partnerId: string, userId: string): Promise<void> {
      await applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: partnerKey(partnerId),
            UpdateExpression: 'SET #s = :disabled, updatedAt = :now REMOVE auth0UserId',
            ConditionExpression: 'auth0UserId = :user',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':disabled': 'disabled', ':now': new Date().toISOString(), ':user': userId },
          }),
        ),
      );
    },

    /** The partner's payout details as stored now (strongly consistent); undefined when none (or no partner). */
    async payoutDetails(partnerId: string): Promise<{ exists: boolean; details?: StoredPayoutDetails }> {
      const res = await t.doc.send(
        new GetCommand({ TableName: t.tableName, Key: partnerKey(partnerId), ConsistentRead: true, ProjectionExpression: 'pk, payoutDetails' }),
      );
      return { exists: res.Item !== undefined, details: res.Item?.payoutDetails as StoredPayoutDetails | undefined };
    },

    /**
     * Stores the partner's payout details while the partner exists and its stored details are still
     * those of `previousUpdatedAt` (none: null), so two partial saves cannot overwrite each other's fields.
     */
    async savePayoutDetails(partnerId: string, details: StoredPayoutDetails, previousUpdatedAt: string | null): Promise<PayoutSaveOutcome> {
      try {
        await t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: partnerKey(partnerId),
            UpdateExpression: 'SET payoutDetails = :d, updatedAt = :now',
            ConditionExpression:
              previousUpdatedAt === null ? 'attribute_exists(pk) AND attribute_not_exists(payoutDetails)' : 'attribute_exists(pk) AND payoutDetails.updatedAt = :prev',
            ExpressionAttributeValues: { ':d': details, ':now': details.updatedAt, ...(previousUpdatedAt === null ? {} : { ':prev': previousUpdatedAt }) },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return 'saved';
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        return (err as { Item?: unknown }).Item === undefined ? 'partner-gone' : 'changed-meanwhile';
      }
    },

    /** The customer's saved referral (strongly consistent). */
    async findReferral(userId: string): Promise<ReferralRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: referralKey(userId), ConsistentRead: true }));
      return strip<ReferralRow>(res.Item);
    },

    /** Saves the customer's referral unless one is saved: then the stored one. */
    async saveReferral(row: ReferralRow): Promise<PutOutcome<ReferralRow>> {
      const outcome = await putIfAbsent<Record<string, unknown>>(t, {
        ...referralKey(row.userId),
        entity: 'referral',
        gsi1pk: `${REFERRED_BY}${row.partnerId}`,
        gsi1sk: `${row.referredAt}#${row.userId}`,
        ...row,
      });
      return outcome.created ? outcome : { created: false, existing: strip<ReferralRow>(outcome.existing)! };
    },

    /** Every customer the partner referred, newest first (gsi1; eventually consistent). */
    async referralsOf(partnerId: string): Promise<ReferralRow[]> {
      const out: ReferralRow[] = (await queryAll(t, {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `${REFERRED_BY}${partnerId}` },
        ScanIndexForward: false,
      })).map((item) => strip<ReferralRow>(item)!);
      return out;
    },

    /** Each customer's name and plan, for a partner's list (BatchGetItem, 50 customers a call). */
    async customersSummary(userIds: string[]): Promise<Map<string, { name: string | null; planId: string | null; planInForce: boolean; subscribedAt: string | null; endedAt: string | null }>> {
      const out = new Map<string, { name: string | null; planId: string | null; planInForce: boolean; subscribedAt: string | null; endedAt: string | null }>();
      for (const id of userIds) out.set(id, { name: null, planId: null, planInForce: false, subscribedAt: null, endedAt: null });
      for (let i = 0; i < userIds.length; i += 50) {
        let keys: Record<string, unknown>[] = userIds.slice(i, i + 50).flatMap((id) => [
          settingsKey(id),
          subscriptionKey(id),
        ]);
        while (keys.length > 0) {
          const res = await t.doc.send(
            new BatchGetCommand({ RequestItems: { [t.tableName]: { Keys: keys, ProjectionExpression: 'pk, sk, #n, planId, #s, createdAt, updatedAt', ExpressionAttributeNames: { '#n': 'name', '#s': 'status' } } } }),
          );
          for (const item of res.Responses?.[t.tableName] ?? []) {
            const entry = out.get(userIdOfPk(item.pk) ?? '');
            if (!entry) continue;
            if (item.sk === SETTINGS_SK) entry.name = typeof item.name === 'string' ? item.name : null;
            else if (typeof item.status === 'string') {
              entry.planId = typeof item.planId === 'string' ? item.planId : null;
              entry.planInForce = subscriptionInForce({ status: item.status });
              entry.subscribedAt = String(item.createdAt);
              entry.endedAt = subscriptionEnded({ status: item.status }) ? String(item.updatedAt) : null;
            }
          }
          keys = (res.UnprocessedKeys?.[t.tableName]?.Keys ?? []) as Record<string, unknown>[];
        }
      }
      return out;
    },
  };
}

export type PartnerAccountsRepository = ReturnType<typeof partnerAccountsRepository>;
