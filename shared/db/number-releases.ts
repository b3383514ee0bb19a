// A pool number's release, announced: USER#<sub> / NUMBER_RELEASE#<effectiveAt>, one row per release
// date, written by the syncPoolNumber worker when the subscription's row first says the number will go
// at the period's end (a downgrade to a plan without one is scheduled, or the subscription is to end
// then). The notifyNumberRelease worker emails the customer from the row's INSERT and marks it
// (`mailId`), so one release date is announced once, however often the row is written again.
//
// Taken back (the downgrade dropped or changed to a plan with a number, the cancellation undone, before
// the date), syncPoolNumber marks the row `withdrawnAt`; the notifyNumberKept worker then tells a
// customer who had the announcement that the number stays (`keptMailId`, once). Announced again for
// the same date after that, the withdrawn row is replaced by a fresh one (its MODIFY with a new
// `announcedAt` brings notifyNumberRelease back), so the customer's last email is always the true one.
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PlanId } from '../config/plans';
import type { TableRef } from './client';
import { applied } from './conditional';
import { USER_PK_PREFIX, afterPrefix, idOfKeyParser, userIdOfPk, userPk } from './keys';

export interface NumberReleaseRow {
  /** The pool number that goes (E.164). */
  number: string;
  /** When: the end of the current period. */
  effectiveAt: string;
  /** Why: a downgrade to a plan without a number (`planId`), or the subscription ending. */
  reason: 'downgrade' | 'cancellation';
  planId?: PlanId;
  announcedAt: string;
  mailId?: string;
  sentAt?: string;
  /** Taken back before the date: the number stays. */
  withdrawnAt?: string;
  /** The email saying so, once sent. */
  keptMailId?: string;
  keptSentAt?: string;
}

/** The stream filter of the rows. */
export const NUMBER_RELEASE_KEYS = { pk: USER_PK_PREFIX, sk: 'NUMBER_RELEASE#' } as const;

const key = (userId: string, effectiveAt: string) => ({ pk: userPk(userId), sk: `${NUMBER_RELEASE_KEYS.sk}${effectiveAt}` });

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** The user and release date a release row's keys (a stream record's) name. */
export const numberReleaseIdOfKey = idOfKeyParser<{ userId: string; effectiveAt: string }>(
  'a number release',
  ({ pk, sk }) => {
    const effectiveAt = afterPrefix(sk, NUMBER_RELEASE_KEYS.sk);
    return { userId: userIdOfPk(pk), effectiveAt: effectiveAt !== undefined && ISO.test(effectiveAt) ? effectiveAt : undefined };
  },
  ({ userId, effectiveAt }) => key(userId, effectiveAt),
);

export function numberReleasesRepository(t: TableRef) {
  const mark = (userId: string, effectiveAt: string, update: string, condition: string, mailId: string, sentAt: string) =>
    applied(
      t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: key(userId, effectiveAt),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeValues: { ':id': mailId, ':at': sentAt },
        }),
      ),
    );
  return {
    /**
     * Records the release unless it is announced already for that date (a withdrawn one is replaced, its
     * marks with it); true when recorded now.
     */
    async announce(userId: string, row: NumberReleaseRow): Promise<boolean> {
      return applied(
        t.doc.send(
          new PutCommand({
            TableName: t.tableName,
            Item: { ...key(userId, row.effectiveAt), entity: 'numberRelease', ...row },
            ConditionExpression: 'attribute_not_exists(pk) OR attribute_exists(withdrawnAt)',
          }),
        ),
      );
    },

    /** The release is taken back: marks the row withdrawn; false when it was already (or is gone). */
    async withdraw(userId: string, effectiveAt: string, at: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(userId, effectiveAt),
            UpdateExpression: 'SET withdrawnAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(withdrawnAt)',
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
    },

    /** Strongly consistent: a retried record must see its own earlier mark. */
    async get(userId: string, effectiveAt: string): Promise<NumberReleaseRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key(userId, effectiveAt), ConsistentRead: true }));
      return res.Item as NumberReleaseRow | undefined;
    },

    /** Marks the announcement sent; false when it was already marked (or the row is gone). */
    async markSent(userId: string, effectiveAt: string, mailId: string, sentAt: string): Promise<boolean> {
      return mark(userId, effectiveAt, 'SET mailId = :id, sentAt = :at', 'attribute_exists(pk) AND attribute_not_exists(mailId)', mailId, sentAt);
    },

    /** Marks the email saying the number stays sent; false when it was already (or the row is no longer withdrawn). */
    async markKeptSent(userId: string, effectiveAt: string, mailId: string, sentAt: string): Promise<boolean> {
      return mark(userId, effectiveAt, 'SET keptMailId = :id, keptSentAt = :at', 'attribute_exists(withdrawnAt) AND attribute_not_exists(keptMailId)', mailId, sentAt);
    },
  };
}

export type NumberReleasesRepository = ReturnType<typeof numberReleasesRepository>;
