// Device sessions: USER#<sub> / DEVICE#<deviceId>, in the user's own partition, so a user's devices
// are one Query and no other user's request can reach them. A registration is one UpdateCommand that
// creates the row or refreshes it (`firstSeenAt` kept by if_not_exists); its UPDATED_OLD answer says
// whether the row was there before, so two requests for one new device cannot both call it new.
// The sendSignInAlert worker reacts to the row's INSERT and marks the row once it emailed the user
// (`alertMailId`, conditional on not being set) or skipped the email (`alertSkipped`). A user keeps a
// bounded number of devices: past it, the least recently seen rows are deleted (each conditional on
// not having been seen since it was read). So that dropping old rows cannot make a later device pass
// for the account's first, the account's first device is recorded once on USER#<sub> / SIGN_INS
// (`firstDeviceId`, if not there yet); the same row holds the alert window (`lastAlertAt` and the
// device it was for), which one conditional update claims, so two workers cannot both send within one
// window. The row lives as long as the account.
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

/**
 * Why a new-sign-in email was not sent: the user has no address, or none verified, or had one
 * within the alert window.
 */
export type AlertSkipReason = 'no-email' | 'unverified-email' | 'alert-window';

/** The sort key of the user's sign-in history row: the first device and the alert window. */
const SIGN_INS_SK = 'SIGN_INS';
const signInsKey = (userId: string) => ({ pk: userPk(userId), sk: SIGN_INS_SK });

/** A device as the cap and the first-device rule see it. */
export interface DeviceSeen {
  deviceId: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

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

    /** When each of the user's devices was first and last seen (one Query over the user's DEVICE# rows). */
    async sightings(userId: string): Promise<DeviceSeen[]> {
      const out: DeviceSeen[] = (await queryAll(t, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :device)',
        ExpressionAttributeValues: { ':pk': userPk(userId), ':device': DEVICE_SK_PREFIX },
        ProjectionExpression: 'deviceId, firstSeenAt, lastSeenAt',
        ConsistentRead: true,
      })).map((item) => ({ deviceId: String(item.deviceId), firstSeenAt: String(item.firstSeenAt), lastSeenAt: String(item.lastSeenAt) }));
      return out;
    },

    /** Deletes a device row unless it was seen again after `lastSeenAt`; false when it was (or is gone). */
    async dropUnlessSeenSince(userId: string, deviceId: string, lastSeenAt: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new DeleteCommand({
            TableName: t.tableName,
            Key: key(userId, deviceId),
            ConditionExpression: 'lastSeenAt = :seen',
            ExpressionAttributeValues: { ':seen': lastSeenAt },
          }),
        ),
      );
    },

    /** Records the account's first device, unless one is recorded already. */
    async recordFirstDevice(userId: string, deviceId: string): Promise<void> {
      await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: signInsKey(userId),
          UpdateExpression: 'SET entity = :entity, firstDeviceId = if_not_exists(firstDeviceId, :device)',
          ExpressionAttributeValues: { ':entity': 'signIns', ':device': deviceId },
        }),
      );
    },

    /** The account's first device, when recorded (strongly consistent). */
    async firstDevice(userId: string): Promise<string | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: signInsKey(userId), ConsistentRead: true }));
      return typeof res.Item?.firstDeviceId === 'string' ? res.Item.firstDeviceId : undefined;
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

    /**
     * Claims the user's alert window for `deviceId`: true when no alert went out within the window
     * before `now` (or the last one was this device's, a retried record), and records this one; false
     * when another device's alert is within the window.
     */
    async claimAlertWindow(userId: string, deviceId: string, now: Date, windowSeconds: number): Promise<boolean> {
      const at = now.toISOString();
      const windowStart = new Date(now.getTime() - windowSeconds * 1000).toISOString();
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: signInsKey(userId),
            UpdateExpression: 'SET entity = :entity, lastAlertAt = :at, lastAlertDeviceId = :device',
            ConditionExpression: 'attribute_not_exists(lastAlertAt) OR lastAlertAt <= :windowStart OR lastAlertDeviceId = :device',
            ExpressionAttributeValues: { ':entity': 'signIns', ':at': at, ':device': deviceId, ':windowStart': windowStart },
          }),
        ),
      );
    },
  };
}

export type DevicesRepository = ReturnType<typeof devicesRepository>;
