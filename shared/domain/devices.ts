// Device sessions and the new-sign-in alert, in two steps.
//
// registerDevice — the route (POST /v1/me/devices), after sign-in.
//   input: the caller and the validated device information; output: the device's id and whether
//   this request created its session.
//   1. keep the known fields (user agent, platform, app version, push token, client device id) and
//      drop the rest; none is required: a missing user agent is the request's User-Agent header; the
//      platform is stored as one of a fixed list (shared/model/device-platform.ts; unknown or missing:
//      `other`);
//   2. derive the device's id: a hash of the client's own id when it sent one (a client's value never
//      becomes a key as it came), else a hash of user agent and platform as sent (so a client that
//      sends nothing from the same browser keeps one id);
//   3. one write creates the row or refreshes it (`lastSeenAt`, app version, push token); the write's
//      answer says whether the row was new, so a refresh creates nothing and two first requests for
//      one device cannot both be "new";
//   4. a new device reads the user's devices (one Query): the account's earliest one (by
//      `firstSeenAt`, ties by id) is recorded as its first device unless one is recorded already, and
//      past the user's cap (DEVICES_PER_USER_MAX) the least recently seen ones are dropped (a
//      conditional delete each), so no user piles up rows however many ids they invent.
//
// sendSignInAlert — the worker, from the device row's INSERT on the table's stream.
//   input: the user and device ids; output: what it did.
//   1. read the row as it is now; nothing to do if it is gone, or already marked sent or skipped;
//   2. the account's first device sends nothing, so the first device of a new account is no "new
//      sign-in": the one recorded, else (an account from before the record, or a record not yet
//      written) the earliest of the user's devices (by `firstSeenAt`, ties by id). A record kept apart
//      from the rows means a flood of new ids, which drops the older rows, cannot make a new device
//      pass for the first;
//   3. find the user's verified address (./recipient.ts: the settings' when verified, else Auth0's when
//      it says verified): without one, mark the row skipped (`no-email`, `unverified-email`) and stop;
//   4. claim the user's alert window (SIGN_IN_ALERT_WINDOW_MINUTES): when another device's alert went
//      out within it, mark the row skipped (`alert-window`) and stop;
//   5. email the user in their language, with the time in their time zone and the device described in
//      words of fixed lists (./device-description.ts: nothing the client typed), then mark
//      `alertMailId` on the row.
//   A failed send throws and the stream retries the record (its window claim is its own, so the retry
//   passes it); a marked row sends nothing again. The window that remains (Mailgun accepted, the mark
//   not yet written) sends that one email again. The first two devices of a new account, registered
//   side by side, may each see only itself: the first to record itself is the first device, and the
//   other sends the alert.
import { createHash } from 'node:crypto';
import type { DeviceRow, DevicesRepository } from '../db/devices';
import { signInAlertMail } from '../email/customer';
import { platformOf } from '../model/device-platform';
import { localeOr } from '../model/locale';
import type { Caller } from '../model/caller';
import { logger } from '../observability/logger';
import type { Mailer } from '../providers/mailgun/port';
import { describeDevice } from './device-description';
import { verifiedRecipient, type RecipientDeps, type VerifiedRecipient } from './recipient';

/** The device information the route validated (unknown fields may still be on it). */
export interface DeviceInfo {
  userAgent?: string;
  platform?: string;
  appVersion?: string;
  pushToken?: string;
  deviceId?: string;
  [extra: string]: unknown;
}

/** The most of a User-Agent header kept, as for a user agent in the body. */
const USER_AGENT_MAX = 512;

/** Characters of base64url kept from the SHA-256: 132 bits, short enough for a key, far from clashing. */
const DEVICE_ID_LENGTH = 22;

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, DEVICE_ID_LENGTH);

/** Fonella's id of a device: stable for the same client id, else for the same user agent and platform. */
export function deriveDeviceId(info: { deviceId?: string; userAgent: string; platform: string }): string {
  return info.deviceId !== undefined ? hash('client', info.deviceId) : hash('traits', info.userAgent, info.platform);
}

export interface RegisterDeviceDeps {
  devices: DevicesRepository;
  /** Device sessions kept per user. */
  maxDevicesPerUser: number;
  now?: () => Date;
}

export async function registerDevice(
  deps: RegisterDeviceDeps,
  caller: Pick<Caller, 'id'>,
  info: DeviceInfo,
  request: { userAgent?: string } = {},
): Promise<{ deviceId: string; isNew: boolean }> {
  // Only what is known goes on, read from the body's own fields; everything else stays behind.
  const own = <K extends 'userAgent' | 'platform' | 'appVersion' | 'pushToken' | 'deviceId'>(k: K) =>
    (Object.hasOwn(info, k) ? info[k] : undefined) as DeviceInfo[K];
  const userAgent = own('userAgent') ?? request.userAgent?.trim().slice(0, USER_AGENT_MAX) ?? '';
  const sentPlatform = own('platform');
  const deviceId = deriveDeviceId({ deviceId: own('deviceId'), userAgent, platform: sentPlatform ?? '' });
  const { created } = await deps.devices.upsert({
    userId: caller.id,
    deviceId,
    userAgent,
    platform: platformOf(sentPlatform),
    appVersion: own('appVersion'),
    pushToken: own('pushToken'),
    seenAt: (deps.now?.() ?? new Date()).toISOString(),
  });
  if (created) await settleDevices(deps, caller.id, deviceId);
  return { deviceId, isNew: created };
}

/** Whether device `a` was seen before device `b`: by `firstSeenAt`, ties by id. */
const earlier = (a: { deviceId: string; firstSeenAt: string }, b: { deviceId: string; firstSeenAt: string }) =>
  a.firstSeenAt < b.firstSeenAt || (a.firstSeenAt === b.firstSeenAt && a.deviceId < b.deviceId);

/** After a new device: records the account's first device, and drops the least recently seen past the cap. */
async function settleDevices(deps: RegisterDeviceDeps, userId: string, newDeviceId: string): Promise<void> {
  const devices = await deps.devices.sightings(userId);
  const first = devices.reduce((a, b) => (earlier(b, a) ? b : a), devices[0]!);
  await deps.devices.recordFirstDevice(userId, first?.deviceId ?? newDeviceId);
  const excess = devices.length - deps.maxDevicesPerUser;
  if (excess <= 0) return;
  const oldest = devices
    .filter((d) => d.deviceId !== newDeviceId)
    .sort((a, b) => (a.lastSeenAt === b.lastSeenAt ? (a.deviceId < b.deviceId ? -1 : 1) : a.lastSeenAt < b.lastSeenAt ? -1 : 1))
    .slice(0, excess);
  let dropped = 0;
  for (const d of oldest) if (await deps.devices.dropUnlessSeenSince(userId, d.deviceId, d.lastSeenAt)) dropped++;
  logger.info('device sessions over the cap dropped', { dropped, max: deps.maxDevicesPerUser });
}

export interface SignInAlertDeps extends RecipientDeps {
  devices: DevicesRepository;
  mailer: Mailer;
  /** At most one alert per user within this many seconds. */
  alertWindowSeconds: number;
  now?: () => Date;
}

export type SignInAlertOutcome =
  | 'sent'
  | 'already-sent'
  | 'already-skipped'
  | 'first-device'
  | 'skipped-no-email'
  | 'skipped-unverified-email'
  | 'skipped-alert-window'
  | 'gone';

/** The time zone of a user who set none (the settings' default). */
const DEFAULT_TIME_ZONE = 'Europe/Berlin';

export async function sendSignInAlert(
  deps: SignInAlertDeps,
  ids: { userId: string; deviceId: string },
): Promise<SignInAlertOutcome> {
  const { userId, deviceId } = ids;
  const row = await deps.devices.get(userId, deviceId);
  if (!row) return 'gone';
  if (row.alertMailId) return 'already-sent';
  if (row.alertSkipped) return 'already-skipped';

  const first = await deps.devices.firstDevice(userId);
  if (first === deviceId) return 'first-device';
  if (first === undefined) {
    const others = (await deps.devices.sightings(userId)).filter((d) => d.deviceId !== deviceId);
    if (!others.some((d) => earlier(d, row))) return 'first-device';
  }

  const recipient = await verifiedRecipient(deps, userId);
  const now = deps.now?.() ?? new Date();
  const at = now.toISOString();
  if (!recipient.email) {
    const reason = recipient.missing ?? 'no-email';
    logger.warn('new sign-in alert skipped: the user has no verified email address', { deviceId, reason });
    await deps.devices.markAlertSkipped(userId, deviceId, reason, at);
    return `skipped-${reason}`;
  }
  if (!(await deps.devices.claimAlertWindow(userId, deviceId, now, deps.alertWindowSeconds))) {
    logger.info('new sign-in alert skipped: the user had one within the alert window', { deviceId });
    await deps.devices.markAlertSkipped(userId, deviceId, 'alert-window', at);
    return 'skipped-alert-window';
  }

  const { id } = await deps.mailer.send(alertMail(row, recipient, recipient.email));
  const marked = await deps.devices.markAlertSent(userId, deviceId, id, at);
  if (!marked) logger.warn('new sign-in alert sent, but another delivery had marked it first', { deviceId, mailId: id });
  return 'sent';
}

function alertMail(row: DeviceRow, recipient: VerifiedRecipient, to: string) {
  const locale = localeOr(recipient.locale);
  return {
    ...signInAlertMail(locale, {
      signedInAt: row.firstSeenAt,
      timeZone: recipient.timezone || DEFAULT_TIME_ZONE,
      device: describeDevice(row, locale),
    }),
    to,
    tags: ['sign-in-alert'],
    variables: { mail: 'sign-in-alert', deviceId: row.deviceId },
  };
}
