// What a signed-in user can make Fonella email is bounded, with low limits set in this stack's
// environment before it starts: a user keeps DEVICES devices (a new one drops the least recently
// seen) and gets at most one new-sign-in email per alert window, which describes the device in fixed
// words only; call reports are limited per call and per user and day, and new addresses to confirm per
// user and day, each answered 429 `rate-limited` with Retry-After until the day (UTC) ends, with
// nothing stored and nothing sent.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsRepository, type CallRow } from '../../shared/db/calls';
import { startTestStack, waitFor, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';
import { bareCall } from '../support/rows';
import { newUser, rowOf, rowsOf, type TestUser } from '../support/users';

const DEVICES = 3;
const REPORTS_PER_CALL = 2;
const REPORTS_PER_USER = 3;
const CONFIRMATIONS = 2;
const DAY = 86_400;
const ENV = {
  DEVICES_PER_USER_MAX: String(DEVICES),
  SIGN_IN_ALERT_WINDOW_MINUTES: '60',
  RATE_LIMIT_CALL_REPORTS_PER_CALL_PER_DAY: String(REPORTS_PER_CALL),
  RATE_LIMIT_CALL_REPORTS_PER_USER_PER_DAY: String(REPORTS_PER_USER),
  RATE_LIMIT_EMAIL_CONFIRMATIONS_PER_USER_PER_DAY: String(CONFIRMATIONS),
};
const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let stack: TestStack;
beforeAll(async () => {
  // Before the stack: a handler reads its configuration at its first request, as at a cold start.
  Object.assign(process.env, ENV);
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
  for (const v of Object.keys(ENV)) delete process.env[v];
});

const user = (prefix: string) => newUser(stack, { prefix, firstLogin: true });
const register = (u: TestUser, body: unknown) => stack.call('POST', '/v1/me/devices', { token: u.token, body });
const mailsTo = async (u: TestUser) => (await stack.mails()).filter((m) => m.to.includes(u.email!));

/** Seconds until the day (UTC) ends; waits for the next day when this one is about to end. */
async function dayLeft(): Promise<number> {
  const left = () => DAY - (Math.floor(Date.now() / 1000) % DAY);
  if (left() < 15) await new Promise((r) => setTimeout(r, (left() + 1) * 1000));
  return left();
}

/** A 429 as the public forms answer it: problem+json `rate-limited`, Retry-After until the day ends. */
function expectRateLimited(res: { status: number; headers: Headers; body: { type?: string } }, secondsLeft: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(429);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body.type).toBe('urn:fonella:problem:rate-limited');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(secondsLeft - 30);
  expect(retryAfter).toBeLessThanOrEqual(secondsLeft);
}

describe('device sessions and the new-sign-in email', () => {
  it(`fifty new device ids in a row: the user keeps the ${DEVICES} most recently seen devices and gets one sign-in email, free of the text sent`, async () => {
    const u = await user('bounds-devices');
    expect((await register(u, { userAgent: CHROME_MAC, platform: 'web' })).status).toBe(200);
    await stack.streams.idle();
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await register(u, {
        deviceId: `attacker-${i}`,
        userAgent: `Security-team/${i} (your account is locked: call +49 170 5550${i})`,
        platform: 'Call +49 170 5550199 now',
        appVersion: `0800.555.${i}`,
      });
      expect(res.status).toBe(200);
      expect(res.body.isNew).toBe(true);
      ids.push(res.body.deviceId);
    }
    await stack.streams.idle();
    await settle(stack);

    const rows = await rowsOf(stack, u.sub, 'DEVICE#');
    expect(rows.map((r) => r.deviceId).sort()).toEqual(ids.slice(-DEVICES).sort());
    expect(rows.every((r) => r.platform === 'other')).toBe(true);
    expect((await stack.call('GET', '/v1/me', { token: u.token })).body.devicesCount).toBe(DEVICES);

    const mails = await mailsTo(u);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.tags).toEqual(['sign-in-alert']);
    expect(mails[0]!.text).toContain('Gerät: unbekanntes Gerät');
    expect(`${mails[0]!.subject}${mails[0]!.text}${mails[0]!.html}`).not.toMatch(/locked|\+49|0800|555|Security-team|Call/);
    // The devices still kept that came within the window are marked skipped, and why.
    expect(rows.filter((r) => r.alertSkipped === 'alert-window')).toHaveLength(DEVICES - (rows.some((r) => r.alertMailId) ? 1 : 0));
    // Fifty-one requests and their stream work: more than the default 20 s on a slow two-core machine.
  }, 60_000);

  it('a refreshed device is not dropped: the least recently seen goes first', async () => {
    const u = await user('bounds-refresh');
    const first = await register(u, { deviceId: 'first' });
    for (const id of ['second', 'third']) expect((await register(u, { deviceId: id })).status).toBe(200);
    // The first device is seen again: the second is now the least recently seen.
    expect((await register(u, { deviceId: 'first' })).body).toEqual({ deviceId: first.body.deviceId, isNew: false });
    const fourth = await register(u, { deviceId: 'fourth' });
    const kept = (await rowsOf(stack, u.sub, 'DEVICE#')).map((r) => r.deviceId);
    expect(kept).toHaveLength(DEVICES);
    expect(kept).toContain(first.body.deviceId);
    expect(kept).toContain(fourth.body.deviceId);
  });

  it('the sign-in email names the device from fixed words: a known platform by its name, the app without its version', async () => {
    const u = await user('bounds-words');
    await register(u, { userAgent: CHROME_MAC, platform: 'web' });
    await stack.streams.idle();
    const app = await register(u, { userAgent: 'Fonella/2.3.1 (iPhone; iOS 17.5; Scale/3.00)', platform: 'iPhone', appVersion: '2.3.1' });
    const mail = await waitFor('the sign-in email', async () => (await mailsTo(u))[0]);
    expect(mail.text).toContain('Gerät: Fonella-App auf iOS');
    expect(mail.text).not.toContain('2.3.1');
    expect((await rowOf(stack, u.sub, `DEVICE#${app.body.deviceId}`))!.platform).toBe('ios');
  });
});

describe('call reports', () => {
  /** A call of `u`'s, stored as the Vapi webhook stores one. */
  async function callOf(u: TestUser): Promise<CallRow> {
    const startedAt = '2026-03-02T09:15:00.000Z';
    const call = bareCall(startedAt, 10, 'asst-bounds');
    expect(await callsRepository(stack.table).create(u.sub, call)).toBe(true);
    return call;
  }
  const report = (u: TestUser, call: CallRow) =>
    stack.call('POST', '/v1/me/call-reports', { token: u.token, body: { callId: call.callId, startedAt: call.startedAt, description: 'Wrong answer.' } });
  const reviewMails = async (u: TestUser) => (await stack.mails()).filter((m) => m.tags.includes('call-report') && m.text?.includes(u.sub));

  it(`a report of one call beyond ${REPORTS_PER_CALL} in a day is 429 rate-limited with Retry-After until the day ends; nothing is stored or sent`, async () => {
    const u = await user('bounds-per-call');
    const call = await callOf(u);
    const left = await dayLeft();
    for (let i = 0; i < REPORTS_PER_CALL; i++) expect((await report(u, call)).status).toBe(202);
    const before = await settle(stack);

    expectRateLimited(await report(u, call), left);
    await settle(stack);
    await expectUnchanged(stack, before, 'a report over the per-call limit');
    expect(await rowsOf(stack, u.sub, 'CALLREPORT#')).toHaveLength(REPORTS_PER_CALL);
    expect(await reviewMails(u)).toHaveLength(REPORTS_PER_CALL);
    // Another call of the same user is its own count.
    expect((await report(u, await callOf(u))).status).toBe(202);
  });

  it(`a report of one user beyond ${REPORTS_PER_USER} in a day, whatever the call, is 429 rate-limited; nothing is stored or sent`, async () => {
    const u = await user('bounds-per-user');
    const left = await dayLeft();
    for (let i = 0; i < REPORTS_PER_USER; i++) expect((await report(u, await callOf(u))).status).toBe(202);
    const call = await callOf(u);
    const before = await settle(stack);

    expectRateLimited(await report(u, call), left);
    await settle(stack);
    await expectUnchanged(stack, before, 'a report over the per-user limit');
    expect(await rowsOf(stack, u.sub, 'CALLREPORT#')).toHaveLength(REPORTS_PER_USER);
    expect(await reviewMails(u)).toHaveLength(REPORTS_PER_USER);
    // Another user is counted apart.
    const other = await user('bounds-per-user-other');
    expect((await report(other, await callOf(other))).status).toBe(202);
  });
});

describe('new addresses to confirm', () => {
  it(`a new address beyond ${CONFIRMATIONS} in a day is 429 rate-limited: the settings and the pending address stay as they were, and no link is sent`, async () => {
    const u = await user('bounds-confirm');
    const left = await dayLeft();
    const addresses = Array.from({ length: CONFIRMATIONS + 1 }, (_, i) => `bounds-${i}-${randomBytes(4).toString('hex')}@example.com`);
    for (const email of addresses.slice(0, CONFIRMATIONS)) expect((await stack.call('PATCH', '/v1/me/settings', { token: u.token, body: { email } })).status).toBe(200);
    const before = await settle(stack);

    expectRateLimited(await stack.call('PATCH', '/v1/me/settings', { token: u.token, body: { email: addresses.at(-1), name: 'Changed' } }), left);
    await settle(stack);
    await expectUnchanged(stack, before, 'a new address over the limit');
    expect((await rowOf(stack, u.sub, 'SETTINGS'))!).toMatchObject({ email: u.email, pendingEmail: addresses[CONFIRMATIONS - 1] });
    expect((await stack.mails()).filter((m) => m.to.includes(addresses.at(-1)!))).toEqual([]);
    // What needs no link is not counted: other fields, and the address in use.
    expect((await stack.call('PATCH', '/v1/me/settings', { token: u.token, body: { email: u.email, name: 'Changed' } })).status).toBe(200);
  });
});
