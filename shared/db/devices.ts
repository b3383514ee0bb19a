// Device sessions: USER#<sub> / DEVICE#<deviceId>, in the user's own partition, so a user's devices
// are one Query and no other user's request can reach them. A registration is one UpdateCommand that
// creates the row or refreshes it (`firstSeenAt` kept by if_not_exists); its UPDATED_OLD answer says
// whether the row was there before, so two requests for one new device cannot both call it new.
// The sendSignInAlert worker reacts to the row's INSERT and marks the row once it emailed the user
// (`alertMailId`, conditional on not being set) or skipped the email (`alertSkipped`).
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { queryAll } from './query-all';
import { applied } from './conditional';
import { USER_PK_PREFIX, afterPrefix, idOfKeyParser, userIdOfPk, userPk } from './keys';

/** The entity's `pk` prefix, for the worker manifest's filter (the rows live under their user). */
export const DEVICE_PK_PREFIX = USER_PK_PREFIX;
/** The entity's `sk` prefix, for the worker manifest's filter. */
export const DEVICE_SK_PREFIX = 'DEVICE#';

export interface DeviceRow {
  userId: string;
  deviceId: string;
  userAgent: string;
  platform: string;
  appVersion?: string;
  hasPushToken: boolean;
  /** A credential-like value: kept for push, never logged, never answered. */
  pushToken?: string;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Mailgun's id of the new-sign-in email, once sent. */
  alertMailId?: string;
  alertSentAt?: string;
  /** Why no new-sign-in email went out, once decided. */
  alertSkipped?: AlertSkipReason;
  alertSkippedAt?: string;
}

/** Why a new-sign-in email was not sent: the user has no address, or none verified. */
export type AlertSkipReason = 'no-email' | 'unverified-email';

/** What a registration writes: the known fields, nothing else the client sent. */
export interface DeviceSighting {
  userId: string;
  deviceId: string;
  userAgent: string;
  platform: string;
  appVersion?: string;
  pushToken?: string;
  seenAt: string;
}

const key = (userId: string, deviceId: string) => ({ pk: userPk(userId), sk: `${DEVICE_SK_PREFIX}${deviceId}` });

/** The user and device a device row's keys (a stream record's) name. */
export const deviceIdOfKey = idOfKeyParser<{ userId: string; deviceId: string }>(
  'a device session',
  ({ pk, sk }) => ({ userId: userIdOfPk(pk), deviceId: afterPrefix(sk, DEVICE_SK_PREFIX) }),
  ({ userId, deviceId }) => key(userId, deviceId),
);

function strip(item: Record<string, unknown>): DeviceRow {
  const { pk: _pk, sk: _sk, entity: _e, ...row } = item;
  return row as unknown as DeviceRow;
}

export function devicesRepository(t: TableRef) {
  return {
    /**
     * Creates the device's row or refreshes it, in one write: `firstSeenAt` and `userId` only when
     * the row is new, `lastSeenAt`, user agent and platform each time, app version and push token
     * when given (an absent one keeps what is stored). `created` is true for the request that
     * created the row.
     */
    async upsert(s: DeviceSighting): Promise<{ created: boolean }> {
      const names: Record<string, string> = {
        '#entity': 'entity',
        '#userId': 'userId',
        '#deviceId': 'deviceId',
        '#userAgent': 'userAgent',
        '#platform': 'platform',
        '#hasPushToken': 'hasPushToken',
        '#firstSeenAt': 'firstSeenAt',
        '#lastSeenAt': 'lastSeenAt',
      };
      const values: Record<string, unknown> = {
        ':entity': 'device',
        ':userId': s.userId,
        ':deviceId': s.deviceId,
        ':userAgent': s.userAgent,
        ':platform': s.platform,
        ':now': s.seenAt,
      };
      const sets = [
        '#entity = :entity',
        '#userId = :userId',
        '#deviceId = :deviceId',
        '#userAgent = :userAgent',
        '#platform = :platform',
        '#firstSeenAt = if_not_exists(#firstSeenAt, :now)',
        '#lastSeenAt = :now',
      ];
      if (s.appVersion !== undefined) {
        names['#appVersion'] = 'appVersion';
        values[':appVersion'] = s.appVersion;
        sets.push('#appVersion = :appVersion');
      }
      if (s.pushToken !== undefined) {
        names['#pushToken'] = 'pushToken';
        values[':pushToken'] = s.pushToken;
        values[':true'] = true;
        sets.push('#pushToken = :pushToken', '#hasPushToken = :true');
      } else {
        values[':false'] = false;
        sets.push('#hasPushToken = if_not_exists(#hasPushToken, :false)');
      }
      const res = await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: key(s.userId, s.deviceId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          // The old values of the attributes written: none when the row did not exist.
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return { created: res.Attributes?.firstSeenAt === undefined };
    },

    /** The row as it is now (a strongly consistent read: a worker must see its own last mark). */
    async get(userId: string, deviceId: string): Promise<DeviceRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key(userId, deviceId), ConsistentRead: true }));
      return res.Item ? strip(res.Item) : undefined;
    },

    /** When each of the user's devices was first seen (one Query over the user's DEVICE# rows). */
    async firstSightings(userId: string): Promise<{ deviceId: string; firstSeenAt: string }[]> {
      const out: { deviceId: string; firstSeenAt: string }[] = (await queryAll(t, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :device)',
        ExpressionAttributeValues: { ':pk': userPk(userId), ':device': DEVICE_SK_PREFIX },
        ProjectionExpression: 'deviceId, firstSeenAt',
        ConsistentRead: true,
      })).map((item) => ({ deviceId: String(item.deviceId), firstSeenAt: String(item.firstSeenAt) }));
      return out;
    },

    /** Marks the new-sign-in email sent; false when it was already marked (or the row is gone). */
    async markAlertSent(userId: string, deviceId: string, mailId: string, sentAt: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(userId, deviceId),
            UpdateExpression: 'SET alertMailId = :id, alertSentAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(alertMailId)',
            ExpressionAttributeValues: { ':id': mailId, ':at': sentAt },
          }),
        ),
      );
    },

    /** Marks the email skipped (for `reason`); false when the row was already marked. */
    async markAlertSkipped(userId: string, deviceId: string, reason: AlertSkipReason, at: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(userId, deviceId),
            UpdateExpression: 'SET alertSkipped = :reason, alertSkippedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(alertMailId) AND attribute_not_exists(alertSkipped)',
            ExpressionAttributeValues: { ':reason': reason, ':at': at },
          }),
        ),
      );
    },
  };
}

export type DevicesRepository = ReturnType<typeof devicesRepository>;
