// Device sessions and the new-sign-in alert, in two steps.
//
// registerDevice — the route (POST /v1/me/devices), after sign-in.
//   input: the caller and the validated device information; output: the device's id and whether
//   this request created its session.
//   1. keep the known fields (user agent, platform, app version, push token, client device id) and
//      drop the rest; none is required: a missing user agent is the request's User-Agent header, a
//      missing platform is empty, and a device with neither is shown as an "unknown device";
//   2. derive the device's id: a hash of the client's own id when it sent one (a client's value never
//      becomes a key as it came), else a hash of user agent and platform (so a client that sends
//      nothing from the same browser keeps one id);
//   3. one write creates the row or refreshes it (`lastSeenAt`, app version, push token); the write's
//      answer says whether the row was new, so a refresh creates nothing and two first requests for
//      one device cannot both be "new".
//
// sendSignInAlert — the worker, from the device row's INSERT on the table's stream.
//   input: the user and device ids; output: what it did.
//   1. read the row as it is now; nothing to do if it is gone, or already marked sent or skipped;
//   2. read the user's devices: the account's earliest device (by `firstSeenAt`, ties by id) sends
//      nothing, so the first device of a new account is no "new sign-in";
//   3. find the user's verified address (./recipient.ts: the settings' when verified, else Auth0's when
//      it says verified): without one, mark the row skipped (`no-email`, `unverified-email`) and stop;
//   4. email the user in their language, with the time in their time zone and the device described,
//      then mark `alertMailId` on the row.
//   A failed send throws and the stream retries the record; a marked row sends nothing again. The
//   window that remains (Mailgun accepted, the mark not yet written) sends that one email again.
//   Rows committed side by side can each miss the other (each worker sees only what was committed
//   when it queried): then both are taken for the first device and neither sends.
import { createHash } from 'node:crypto';
import type { DeviceRow, DevicesRepository } from '../db/devices';
import { signInAlertMail } from '../email/customer';
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
  const platform = own('platform') ?? '';
  const deviceId = deriveDeviceId({ deviceId: own('deviceId'), userAgent, platform });
  const { created } = await deps.devices.upsert({
    userId: caller.id,
    deviceId,
    userAgent,
    platform,
    appVersion: own('appVersion'),
    pushToken: own('pushToken'),
    seenAt: (deps.now?.() ?? new Date()).toISOString(),
  });
  return { deviceId, isNew: created };
}

export interface SignInAlertDeps extends RecipientDeps {
  devices: DevicesRepository;
  mailer: Mailer;
  now?: () => Date;
}

export type SignInAlertOutcome = 'sent' | 'already-sent' | 'already-skipped' | 'first-device' | 'skipped-no-email' | 'skipped-unverified-email' | 'gone';

/** The time zone of a user who set none (the settings' default). */
const DEFAULT_TIME_ZONE = 'Europe/Berlin';

/** Whether device `a` was seen before device `b`: by `firstSeenAt`, ties by id. */
const earlier = (a: { deviceId: string; firstSeenAt: string }, b: { deviceId: string; firstSeenAt: string }) =>
  a.firstSeenAt < b.firstSeenAt || (a.firstSeenAt === b.firstSeenAt && a.deviceId < b.deviceId);

export async function sendSignInAlert(
  deps: SignInAlertDeps,
  ids: { userId: string; deviceId: string },
): Promise<SignInAlertOutcome> {
  const { userId, deviceId } = ids;
  const row = await deps.devices.get(userId, deviceId);
  if (!row) return 'gone';
  if (row.alertMailId) return 'already-sent';
  if (row.alertSkipped) return 'already-skipped';

  const others = (await deps.devices.firstSightings(userId)).filter((d) => d.deviceId !== deviceId);
  if (!others.some((d) => earlier(d, row))) return 'first-device';

  const recipient = await verifiedRecipient(deps, userId);
  const at = (deps.now?.() ?? new Date()).toISOString();
  if (!recipient.email) {
    const reason = recipient.missing ?? 'no-email';
    logger.warn('new sign-in alert skipped: the user has no verified email address', { deviceId, reason });
    await deps.devices.markAlertSkipped(userId, deviceId, reason, at);
    return `skipped-${reason}`;
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
