// A pool number's release, announced: USER#<sub> / NUMBER_RELEASE#<effectiveAt>, one row per release
// date, written by the syncPoolNumber worker when the subscription's row first says the number will go
// at the period's end (a downgrade to a plan without one is scheduled, or the subscription is to end
// then). The notifyNumberRelease worker emails the customer from the row's INSERT and marks it
// (`mailId`), so one release date is announced once, however often the row is written again.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PlanId } from '../config/plans';
import type { TableRef } from './client';
import { applied } from './conditional';
import { putIfAbsent } from './put-if-absent';
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
  return {
    /** Records the release unless it was announced before; true when recorded now. */
    async announce(userId: string, row: NumberReleaseRow): Promise<boolean> {
      return (await putIfAbsent(t, { ...key(userId, row.effectiveAt), entity: 'numberRelease', ...row })).created;
    },

    /** Strongly consistent: a retried record must see its own earlier mark. */
    async get(userId: string, effectiveAt: string): Promise<NumberReleaseRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key(userId, effectiveAt), ConsistentRead: true }));
      return res.Item as NumberReleaseRow | undefined;
    },

    /** Marks the email sent; false when it was already marked (or the row is gone). */
    async markSent(userId: string, effectiveAt: string, mailId: string, sentAt: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(userId, effectiveAt),
            UpdateExpression: 'SET mailId = :id, sentAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(mailId)',
            ExpressionAttributeValues: { ':id': mailId, ':at': sentAt },
          }),
        ),
      );
    },
  };
}

export type NumberReleasesRepository = ReturnType<typeof numberReleasesRepository>;
