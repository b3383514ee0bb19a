// POST /v1/me/devices through the local API, and the new-sign-in email from the table's stream: the
// device row (known fields only, the platform from a fixed list, one per device however often it is
// refreshed, under its own user), the refusals (nothing written), and the alert: none for an account's
// first device, one for a later new device, in the user's language and time zone, describing the
// device in fixed words only, none for a refresh, once even when its stream record comes twice. The
// cap on devices and the alert window: test/integration/mail-bounds.test.ts.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { invoke, lambdaContext } from '../../lib/local/lambda';
import { workerStack, waitFor, type SentMail, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';
import { newUser as stackUser, rowOf as userRow, rowsOf } from '../support/users';

const PATH = '/v1/me/devices';
const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const IOS_APP = 'Fonella/2.3.1 (iPhone; iOS 17.5; Scale/3.00)';
const DEVICE_ID = /^[A-Za-z0-9_-]{22}$/;

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

interface User {
  sub: string;
  token: string;
  email: string;
}

/** A user of their own; with `settings`, their SETTINGS row as PATCH /v1/me/settings would leave it. */
async function newUser(settings?: { locale: string; timezone: string; email?: string | null }): Promise<User> {
  // The settings' address is the token's unless `email` says otherwise (null: none on the settings).
  const { sub, email, token } = await stackUser(stack, {
    prefix: 'devices',
    settings: settings && {
      name: 'Device Tester',
      timezone: settings.timezone,
      locale: settings.locale,
      ...(settings.email === undefined ? {} : { email: settings.email }),
    },
  });
  return { sub, email: email!, token };
}

const register = (u: User, body: unknown) => stack.call('POST', PATH, { token: u.token, body });

const deviceRows = (u: User) => rowsOf(stack, u.sub, 'DEVICE#');
const rowOf = (u: User, deviceId: string) => userRow(stack, u.sub, `DEVICE#${deviceId}`);
const mailsTo = async (u: User) => (await stack.mails()).filter((m) => m.to.includes(u.email));

/** Registers a device and waits until the worker has handled its row. */
async function registered(u: User, body: Record<string, unknown>): Promise<{ deviceId: string; isNew: boolean }> {
  const res = await register(u, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await stack.streams.idle();
  return res.body;
}

/** The one new-sign-in email for the device, once its row carries the mark. */
async function alertFor(u: User, deviceId: string): Promise<SentMail> {
  await waitFor('the alert mark on the device row', async () => Boolean((await rowOf(u, deviceId))?.alertMailId));
  await stack.streams.idle();
  const mails = await mailsTo(u);
  expect(mails).toHaveLength(1);
  expect(mails[0]).toMatchObject({ tags: ['sign-in-alert'], variables: { mail: 'sign-in-alert', deviceId } });
  expect((await rowOf(u, deviceId))!.alertMailId).toBe(mails[0]!.id);
  return mails[0]!;
}

/** The time as the email must show it: the user's zone, formatted for their language. */
const localTime = (locale: string, iso: string, timeZone: string) =>
  `${new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(iso))} (${timeZone})`;

describe('POST /v1/me/devices', () => {
  it('registers a new device: 200 with its id and isNew, and the row holds the known fields only', async () => {
    const u = await newUser();
    const res = await register(u, {
      userAgent: CHROME_MAC,
      platform: 'web',
      appVersion: '5.1.0',
      pushToken: 'push-credential-7f3a9c',
      deviceId: 'client-device-1',
      screen: { width: 1440, height: 900, scale: [2, 1] },
      languages: ['de-DE', 'en'],
      isAdmin: true,
      note: null,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deviceId: expect.stringMatching(DEVICE_ID), isNew: true });
    expect(JSON.stringify(res.body)).not.toContain('push-credential');
    // The client's own id is hashed, never a key as it came.
    expect(res.body.deviceId).not.toContain('client-device-1');

    const rows = await deviceRows(u);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(Object.keys(row).sort()).toEqual(
      ['appVersion', 'deviceId', 'entity', 'firstSeenAt', 'hasPushToken', 'lastSeenAt', 'pk', 'platform', 'pushToken', 'sk', 'userAgent', 'userId'].sort(),
    );
    expect(row).toMatchObject({
      sk: `DEVICE#${res.body.deviceId}`,
      deviceId: res.body.deviceId,
      userId: u.sub,
      userAgent: CHROME_MAC,
      platform: 'web',
      appVersion: '5.1.0',
      hasPushToken: true,
      pushToken: 'push-credential-7f3a9c',
    });
    expect(row.firstSeenAt).toBe(row.lastSeenAt);
    expect(JSON.stringify(row)).not.toMatch(/client-device-1|screen|1440|languages|isAdmin/);
  });

  it('derives the id stably: the client id when given, else user agent and platform', async () => {
    const u = await newUser();
    const a = await register(u, { userAgent: FIREFOX_LINUX, platform: 'web' });
    const again = await register(u, { userAgent: FIREFOX_LINUX, platform: 'web', extra: 'ignored' });
    const otherPlatform = await register(u, { userAgent: FIREFOX_LINUX, platform: 'pwa' });
    const withClientId = await register(u, { userAgent: FIREFOX_LINUX, platform: 'web', deviceId: 'abc' });
    // The client id wins over the traits: another browser with the same id is the same device.
    const sameClientId = await register(u, { userAgent: CHROME_MAC, platform: 'web', deviceId: 'abc' });
    expect([a, again, otherPlatform, withClientId, sameClientId].map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(again.body).toEqual({ deviceId: a.body.deviceId, isNew: false });
    expect(otherPlatform.body.isNew).toBe(true);
    expect(otherPlatform.body.deviceId).not.toBe(a.body.deviceId);
    expect(withClientId.body.isNew).toBe(true);
    expect(new Set([a.body.deviceId, otherPlatform.body.deviceId, withClientId.body.deviceId]).size).toBe(3);
    expect(sameClientId.body).toEqual({ deviceId: withClientId.body.deviceId, isNew: false });
    expect(await deviceRows(u)).toHaveLength(3);
    // The refresh took the new user agent.
    expect((await rowOf(u, withClientId.body.deviceId))!.userAgent).toBe(CHROME_MAC);
  });

  it('accepts a body exactly at its bounds: 5 levels deep, 50 keys in all', async () => {
    const u = await newUser();
    // The body is level 1, each object or array inside it one more.
    const deep = await register(u, { userAgent: CHROME_MAC, platform: 'web', a: { b: { c: { d: ['level 5'] } } } });
    expect(deep.status, JSON.stringify(deep.body)).toBe(200);
    const keys = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`k${i}`, i]));
    const many = await register(u, { userAgent: CHROME_MAC, platform: 'web', deviceId: 'many-keys', ...keys });
    expect(many.status, JSON.stringify(many.body)).toBe(200);
  });

  it("the seed's body `{}`: the device the request comes from (its User-Agent header), the same id again; without any header an \"unknown device\" of its own", async () => {
    const u = await newUser({ locale: 'en', timezone: 'UTC' });
    const fromHeader = await stack.call('POST', PATH, { token: u.token, body: {}, headers: { 'user-agent': CHROME_MAC } });
    expect(fromHeader.status, JSON.stringify(fromHeader.body)).toBe(200);
    expect(fromHeader.body.isNew).toBe(true);
    const again = await stack.call('POST', PATH, { token: u.token, body: {}, headers: { 'user-agent': CHROME_MAC } });
    expect(again.body).toEqual({ deviceId: fromHeader.body.deviceId, isNew: false });
    const row = (await deviceRows(u)).find((r) => r.deviceId === fromHeader.body.deviceId)!;
    expect(row).toMatchObject({ userAgent: CHROME_MAC, platform: 'other' });

    // No body field and no User-Agent header: a device all the same, with an id other than the browser's.
    const bare = await stack.call('POST', PATH, { token: u.token, rawBody: '{}', headers: { 'content-type': 'application/json', 'user-agent': '' } });
    expect(bare.status, JSON.stringify(bare.body)).toBe(200);
    expect(bare.body.deviceId).not.toBe(fromHeader.body.deviceId);
    // The second device of the account: its new-sign-in email calls it an unknown device.
    const mail = await waitFor('the sign-in alert', async () => (await stack.mails()).find((m) => m.to.includes(u.email!) && m.text?.includes('unknown device')));
    expect(mail.subject).toBeTruthy();
  });

  it('refuses a body that is no object, too deep, has too many keys or bad fields (400), or is over 4 KB (413), and writes nothing', async () => {
    const u = await newUser({ locale: 'en', timezone: 'UTC' });
    const before = await settle(stack);
    const paths = (res: { body: { errors?: { path: string; message: string }[] } }) => (res.body.errors ?? []).map((e) => e.path);
    const messages = (res: { body: { errors?: { path: string; message: string }[] } }) => (res.body.errors ?? []).map((e) => e.message);
    const ok = { userAgent: CHROME_MAC, platform: 'web' };

    for (const body of [[ok], 'web', 42, null]) {
      const res = await stack.call('POST', PATH, { token: u.token, rawBody: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.type).toBe('urn:fonella:problem:validation');
      expect(paths(res)).toEqual(['body']);
    }

    const tooDeep = await register(u, { ...ok, a: { b: { c: { d: { e: { f: 'level 6' } } } } } });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.errors).toEqual([{ path: 'body', message: 'The body must not nest deeper than 5 levels.' }]);
    const deepArrays = await register(u, { ...ok, a: [[[[['level 6']]]]] });
    expect(deepArrays.status).toBe(400);
    expect(messages(deepArrays)).toEqual(['The body must not nest deeper than 5 levels.']);

    const topLevel = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, i]));
    const tooMany = await register(u, { ...ok, ...topLevel });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([{ path: 'body', message: 'The body must not hold more than 50 keys in all.' }]);
    // Keys are counted at every level.
    const nested = await register(u, { ...ok, extra: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, i])) });
    expect(nested.status).toBe(400);
    expect(messages(nested)).toEqual(['The body must not hold more than 50 keys in all.']);

    const badTypes = await register(u, { userAgent: 123, platform: ['web'], appVersion: {}, pushToken: true, deviceId: 'two\nlines' });
    expect(badTypes.status).toBe(400);
    expect(paths(badTypes).sort()).toEqual(['body.appVersion', 'body.deviceId', 'body.platform', 'body.pushToken', 'body.userAgent']);
    // The push token is a credential: a refusal does not repeat it.
    const badToken = await register(u, { ...ok, pushToken: 'secret-push\u0000token' });
    expect(badToken.status).toBe(400);
    expect(paths(badToken)).toEqual(['body.pushToken']);
    expect(JSON.stringify(badToken.body)).not.toContain('secret-push');

    // Every problem at once: a bad field and a body too deep.
    const both = await register(u, { userAgent: '', platform: 'web', a: { b: { c: { d: { e: { f: 1 } } } } } });
    expect(both.status).toBe(400);
    expect([...new Set(paths(both))].sort()).toEqual(['body', 'body.userAgent']);

    const tooLarge = await register(u, { ...ok, padding: 'x'.repeat(4 * 1024) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.type).toBe('urn:fonella:problem:payload-too-large');

    await expectUnchanged(stack, before, 'refused device registrations');
  });
});

describe('the new-sign-in email (sendSignInAlert)', () => {
  it("sends nothing for a new account's first device", async () => {
    const u = await newUser({ locale: 'en', timezone: 'America/New_York' });
    const first = await registered(u, { userAgent: CHROME_MAC, platform: 'web' });
    expect(first.isNew).toBe(true);
    expect(await mailsTo(u)).toEqual([]);
    const row = await rowOf(u, first.deviceId);
    expect(row).not.toHaveProperty('alertMailId');
    expect(row).not.toHaveProperty('alertSkipped');
  });

  it('emails a second device exactly once, in English with the time in the user’s zone and the device described', async () => {
    const u = await newUser({ locale: 'en', timezone: 'America/New_York' });
    const first = await registered(u, { userAgent: CHROME_MAC, platform: 'web' });
    const second = await registered(u, { userAgent: IOS_APP, platform: 'ios', appVersion: '2.3.1', pushToken: 'apns-token-0042' });
    expect(second.isNew).toBe(true);

    const mail = await alertFor(u, second.deviceId);
    const row = (await rowOf(u, second.deviceId))!;
    expect(mail.to).toEqual([u.email]);
    expect(mail.subject).toBe('New sign-in to your Fonella account');
    const when = localTime('en-US', String(row.firstSeenAt), 'America/New_York');
    expect(when).not.toBe(localTime('en-US', String(row.firstSeenAt), 'Europe/Berlin'));
    expect(mail.text).toContain('Device: Fonella app on iOS');
    expect(mail.text).toContain(`Time: ${when}`);
    expect(mail.html).toContain('<html lang="en">');
    expect(mail.html).toContain('Fonella app on iOS');
    // The push token is never mailed.
    expect(`${mail.text}${mail.html}`).not.toContain('apns-token');
    expect(row.alertSentAt).toEqual(expect.any(String));
    expect(await rowOf(u, first.deviceId)).not.toHaveProperty('alertMailId');
  });

  it('writes German for a German user (and for one with a language we lack), never showing what the client typed', async () => {
    const u = await newUser({ locale: 'de', timezone: 'Europe/Berlin' });
    await registered(u, { userAgent: IOS_APP, platform: 'ios', appVersion: '2.3.1' });
    const second = await registered(u, { userAgent: CHROME_MAC, platform: 'web' });
    const mail = await alertFor(u, second.deviceId);
    const row = (await rowOf(u, second.deviceId))!;
    expect(mail.subject).toBe('Neue Anmeldung bei Ihrem Fonella-Konto');
    expect(mail.text).toContain('Gerät: Chrome 131 auf macOS');
    expect(mail.text).toContain(`Zeitpunkt: ${localTime('de-DE', String(row.firstSeenAt), 'Europe/Berlin')}`);
    expect(mail.text).toMatch(/\d\d\.\d\d\.\d{4}, \d\d:\d\d \(Europe\/Berlin\)/);
    expect(mail.html).toContain('<html lang="de">');

    const fr = await newUser({ locale: 'fr', timezone: 'Europe/Paris' });
    await registered(fr, { userAgent: CHROME_MAC, platform: 'web' });
    const kiosk = await registered(fr, { userAgent: 'KioskShell/3.1 (lobby)', platform: 'Kiosk <b>1</b>', appVersion: '1.0' });
    const frMail = await alertFor(fr, kiosk.deviceId);
    expect(frMail.subject).toBe('Neue Anmeldung bei Ihrem Fonella-Konto');
    expect(frMail.text).toContain('Gerät: unbekanntes Gerät');
    expect(`${frMail.text}${frMail.html}`).not.toMatch(/Kiosk|lobby|<b>|1\.0|3\.1/);
    expect(frMail.text).toContain('(Europe/Paris)');
    expect((await rowOf(fr, kiosk.deviceId))!.platform).toBe('other');
  });

  it('a refresh of a known device sends nothing and keeps one row; lastSeenAt moves', async () => {
    const u = await newUser({ locale: 'en', timezone: 'UTC' });
    await registered(u, { userAgent: CHROME_MAC, platform: 'web' });
    const second = await registered(u, { userAgent: IOS_APP, platform: 'ios', appVersion: '2.3.1' });
    await alertFor(u, second.deviceId);
    const before = (await rowOf(u, second.deviceId))!;
    await waitFor('a new millisecond', async () => Date.now() > Date.parse(String(before.lastSeenAt)));

    const refresh = await registered(u, { userAgent: IOS_APP, platform: 'ios', appVersion: '2.4.0', pushToken: 'apns-token-0043' });
    expect(refresh).toEqual({ deviceId: second.deviceId, isNew: false });
    const after = (await rowOf(u, second.deviceId))!;
    expect(after.firstSeenAt).toBe(before.firstSeenAt);
    expect(Date.parse(String(after.lastSeenAt))).toBeGreaterThan(Date.parse(String(before.lastSeenAt)));
    expect(after).toMatchObject({ appVersion: '2.4.0', hasPushToken: true, pushToken: 'apns-token-0043', alertMailId: before.alertMailId });
    expect(await deviceRows(u)).toHaveLength(2);
    expect(await mailsTo(u)).toHaveLength(1);
  });

  it('100 devices, each registered three times at once, stay one row each, each created by exactly one request', async () => {
    const u = await newUser();
    const devices = Array.from({ length: 100 }, (_, i) => ({ userAgent: FIREFOX_LINUX, platform: 'web', deviceId: `fleet-${i}` }));
    const answers = new Map<string, { deviceId: string; isNew: boolean }[]>();
    for (let i = 0; i < devices.length; i += 20) {
      const batch = devices.slice(i, i + 20).flatMap((d) => [d, d, d]);
      const res = await Promise.all(batch.map((d) => register(u, d)));
      res.forEach((r, j) => {
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        const id = batch[j]!.deviceId;
        answers.set(id, [...(answers.get(id) ?? []), r.body]);
      });
    }
    for (const [id, got] of answers) {
      expect(got, id).toHaveLength(3);
      expect(new Set(got.map((a) => a.deviceId)).size, id).toBe(1);
      expect(got.filter((a) => a.isNew), id).toHaveLength(1);
    }
    const rows = await deviceRows(u);
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.sk)).size).toBe(100);
    await stack.streams.idle();
    // No settings, no address: the alerts are skipped, and marked so.
    expect(await mailsTo(u)).toEqual([]);
    expect((await deviceRows(u)).filter((r) => r.alertSkipped === 'no-email').length).toBeGreaterThan(0);
    // 300 requests and 100 worker runs: 3 s on a quiet machine, 11 to 20 s beside the rest of the suite
    // on a two-core one.
  }, 60_000);

  it("another user's token never sees or changes this user's devices", async () => {
    const a = await newUser({ locale: 'en', timezone: 'UTC' });
    const b = await newUser({ locale: 'en', timezone: 'UTC' });
    const mine = await registered(a, { userAgent: CHROME_MAC, platform: 'web', deviceId: 'shared-phone', appVersion: '1.0.0' });
    const rowBefore = await rowOf(a, mine.deviceId);

    const theirs = await registered(b, { userAgent: FIREFOX_LINUX, platform: 'web', deviceId: 'shared-phone', appVersion: '9.9.9', pushToken: 'b-token' });
    // Their own session, new for them: nothing of A's answered or touched.
    expect(theirs.isNew).toBe(true);
    expect(await rowOf(a, mine.deviceId)).toEqual(rowBefore);
    expect(await deviceRows(a)).toHaveLength(1);
    const theirRows = await deviceRows(b);
    expect(theirRows).toHaveLength(1);
    expect(theirRows[0]).toMatchObject({ pk: `USER#${b.sub}`, userId: b.sub, userAgent: FIREFOX_LINUX, appVersion: '9.9.9' });
    // B's first device is B's first: no email to anyone.
    expect(await mailsTo(a)).toEqual([]);
    expect(await mailsTo(b)).toEqual([]);
  });

  it('skips a user without an email address, marking the row, and sends each alert once when its record comes again', async () => {
    const { handler } = (await import('../../functions/streams/send-sign-in-alert')) as {
      handler: (e: DynamoDBStreamEvent, c: unknown) => Promise<{ batchItemFailures: unknown[] }>;
    };
    /** Hands the row's INSERT (as first written, without marks) to the worker again. */
    const redeliver = async (row: Record<string, unknown>) => {
      const { alertMailId: _m, alertSentAt: _s, alertSkipped: _k, alertSkippedAt: _ka, ...inserted } = row;
      const record: DynamoDBRecord = {
        eventID: `redelivered-${randomUUID()}`,
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        dynamodb: {
          Keys: marshall({ pk: row.pk, sk: row.sk }) as never,
          NewImage: marshall(inserted, { removeUndefinedValues: true }) as never,
          SequenceNumber: '900000000000000000003',
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      };
      const context = lambdaContext('sendSignInAlert', 30_000);
      const out = await invoke(context, () => handler({ Records: [record] }, context));
      expect(out.batchItemFailures).toEqual([]);
    };

    const u = await newUser({ locale: 'en', timezone: 'UTC' });
    await registered(u, { userAgent: CHROME_MAC, platform: 'web' });
    const second = await registered(u, { userAgent: FIREFOX_LINUX, platform: 'web' });
    await alertFor(u, second.deviceId);
    const sent = (await rowOf(u, second.deviceId))!;
    await redeliver(sent);
    await redeliver(sent);
    expect(await mailsTo(u)).toHaveLength(1);
    expect((await rowOf(u, second.deviceId))!.alertMailId).toBe(sent.alertMailId);

    // As if the mark had not been written after Mailgun took the email: the one window that remains.
    await stack.table.doc.send(
      new UpdateCommand({ TableName: stack.table.tableName, Key: { pk: sent.pk, sk: sent.sk }, UpdateExpression: 'REMOVE alertMailId, alertSentAt' }),
    );
    await redeliver(sent);
    await redeliver(sent);
    const mails = await mailsTo(u);
    expect(mails).toHaveLength(2);
    expect((await rowOf(u, second.deviceId))!.alertMailId).toBe(mails[1]!.id);

    const noEmail = await newUser({ locale: 'en', timezone: 'UTC', email: null });
    await registered(noEmail, { userAgent: CHROME_MAC, platform: 'web' });
    const other = await registered(noEmail, { userAgent: FIREFOX_LINUX, platform: 'web' });
    const skipped = await waitFor('the skip mark', async () => {
      const row = await rowOf(noEmail, other.deviceId);
      return row?.alertSkipped === 'no-email' ? row : undefined;
    });
    expect(skipped).not.toHaveProperty('alertMailId');
    const mailsBefore = (await stack.mails()).length;
    await redeliver(skipped);
    expect((await stack.mails()).length).toBe(mailsBefore);
    expect(await rowOf(noEmail, other.deviceId)).toEqual(skipped);
  });
});
