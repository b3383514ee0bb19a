// Mail about an account goes only to a verified address, through the local API and the stream
// workers: a changed settings address stays pending (the address in use kept, the pending one shown)
// until the link emailed to it is posted to POST /v1/me/email-confirmations, which works once, for its
// own user, until it expires; until then summaries and sign-in alerts go to the verified address.
// An address Auth0 has not verified (the token's `email_verified`, the directory's) gets no sign-in
// alert or call summary (each skipped and marked) and is never a call report's reply-to.
import { createHash, randomBytes } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { endOfCallReport } from '../../lib/local/emulators/vapi/end-of-call';
import { appConfig } from '../../shared/config/app';
import { callsRepository } from '../../shared/db/calls';
import { workerStack, waitFor, type SentMail, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';
import { bareCall } from '../support/rows';
import { newUser, rowOf, rowsOf, type NewUserOptions, type TestUser } from '../support/users';

const CONFIRMATIONS = '/v1/me/email-confirmations';
const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const user = (opts: NewUserOptions = {}) => newUser(stack, { prefix: 'verify', firstLogin: true, ...opts });
const patch = (u: TestUser, body: unknown) => stack.call('PATCH', '/v1/me/settings', { token: u.token, body });
const confirm = (u: TestUser, token: string) => stack.call('POST', CONFIRMATIONS, { token: u.token, body: { token } });
const settingsRow = (u: TestUser) => rowOf(stack, u.sub, 'SETTINGS');
const mailsTo = async (address: string) => (await stack.mails()).filter((m) => m.to.includes(address));
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const fresh = (what: string) => `${what}-${randomBytes(4).toString('hex')}@example.com`;

/** The one confirmation email to `address`, and the token of its link. */
async function confirmationTo(address: string): Promise<{ mail: SentMail; token: string }> {
  const mail = await waitFor(`the confirmation email to ${address}`, async () => (await mailsTo(address)).find((m) => m.tags?.includes('email-confirmation')));
  const token = new RegExp(`${appConfig().portalUrl}/settings/confirm-email\\?token=([A-Za-z0-9_-]+)`).exec(mail.text ?? '')?.[1];
  expect(token, mail.text).toBeDefined();
  return { mail, token: token! };
}

/** Registers two devices, the second a new sign-in, and waits until the worker handled it. */
async function secondDevice(u: TestUser): Promise<string> {
  for (const userAgent of [CHROME_MAC, FIREFOX_LINUX]) {
    expect((await stack.call('POST', '/v1/me/devices', { token: u.token, body: { userAgent, platform: 'web' } })).status).toBe(200);
    await stack.streams.idle();
  }
  const rows = await rowsOf(stack, u.sub, 'DEVICE#');
  const second = rows.find((r) => r.userAgent === FIREFOX_LINUX)!;
  await waitFor('the second device marked', async () => {
    const row = await rowOf(stack, u.sub, String(second.sk));
    return Boolean(row?.alertMailId || row?.alertSkipped);
  });
  return String(second.sk);
}

/** Has Vapi's report of a call of `u`'s assistant delivered, and waits until the summary worker marked the call. */
async function callOf(u: TestUser): Promise<Record<string, unknown>> {
  const report = endOfCallReport({ assistantId: u.assistantId! });
  const res = await stack.call('POST', '/v1/webhooks/vapi', { body: report, headers: { 'x-vapi-secret': stack.credentials.vapi!.webhookSecret! } });
  expect(res.status).toBe(200);
  const callId = (report.message.call as { id: string }).id;
  return waitFor('the call marked sent or skipped', async () => {
    const row = (await rowsOf(stack, u.sub, 'CALL#')).find((r) => r.callId === callId);
    return row?.summaryMailId || row?.summarySkipped ? row : undefined;
  });
}

describe('a changed settings address', () => {
  it('stays pending: the verified address stays in use, the settings show the pending one, and the new address gets only a confirmation link holding nothing the user typed', async () => {
    const u = await user();
    const next = fresh('next');
    const res = await patch(u, { email: next, name: 'Urgent: wire 500 EUR to DE89 3704 0044 0532 0130 00' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ email: u.email, emailVerified: true, pendingEmail: { email: next, expiresAt: expect.any(String) } });
    const hours = (Date.parse(res.body.pendingEmail.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    expect((await stack.call('GET', '/v1/me', { token: u.token })).body.settings).toEqual(res.body);

    const { mail, token } = await confirmationTo(next);
    await stack.streams.idle();
    expect(await mailsTo(next)).toEqual([mail]);
    expect(mail.subject).toBe('Bitte bestätigen Sie Ihre E-Mail-Adresse für Fonella');
    expect(`${mail.subject}${mail.text}${mail.html}`).not.toMatch(/wire|DE89|500 EUR/);
    // Only the token's hash is kept.
    const row = (await settingsRow(u))!;
    expect(row).toMatchObject({ email: u.email, pendingEmail: next, pendingEmailTokenHash: sha256(token), pendingEmailMailId: mail.id });
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it("the link's token confirms it: the new address becomes the verified one in use, and the link works once", async () => {
    const u = await user();
    const next = fresh('confirmed');
    expect((await patch(u, { email: next })).status).toBe(200);
    const { token } = await confirmationTo(next);

    const res = await confirm(u, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ userId: u.sub, email: next, emailVerified: true, pendingEmail: null });
    expect((await stack.call('GET', '/v1/me', { token: u.token })).body.settings).toEqual(res.body);
    const row = (await settingsRow(u))!;
    expect(Object.keys(row).filter((k) => k.startsWith('pendingEmail'))).toEqual([]);

    const again = await confirm(u, token);
    expect(again.status).toBe(400);
    expect(again.body.type).toBe('urn:fonella:problem:email-confirmation-invalid');
  });

  it("another user's token, a made-up one and a replaced link are refused 400 and change nothing; an expired link is 410", async () => {
    const a = await user();
    const b = await user();
    const aNext = fresh('a-next');
    expect((await patch(a, { email: aNext })).status).toBe(200);
    expect((await patch(b, { email: fresh('b-next') })).status).toBe(200);
    const { token: aToken } = await confirmationTo(aNext);

    const before = await settle(stack);
    for (const [who, token] of [[b, aToken], [a, randomBytes(32).toString('base64url')]] as const) {
      const res = await confirm(who, token);
      expect(res.status).toBe(400);
      expect(res.body.type).toBe('urn:fonella:problem:email-confirmation-invalid');
    }
    await expectUnchanged(stack, before, 'refused confirmations');

    // A newer request replaces the link: the first one's token no longer works, the newer one does.
    const aLater = fresh('a-later');
    expect((await patch(a, { email: aLater })).status).toBe(200);
    const { token: laterToken } = await confirmationTo(aLater);
    expect((await confirm(a, aToken)).status).toBe(400);

    await stack.table.doc.send(
      new UpdateCommand({
        TableName: stack.table.tableName,
        Key: { pk: `USER#${a.sub}`, sk: 'SETTINGS' },
        UpdateExpression: 'SET pendingEmailExpiresAt = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
      }),
    );
    const expired = await confirm(a, laterToken);
    expect(expired.status).toBe(410);
    expect(expired.body.type).toBe('urn:fonella:problem:email-confirmation-expired');
    expect((await settingsRow(a))!).toMatchObject({ email: a.email, emailVerified: true, pendingEmail: aLater });
  });

  it('the address in use again drops the pending change; the token\'s own address, verified by Auth0, is taken at once without a link', async () => {
    const u = await user();
    const next = fresh('dropped');
    expect((await patch(u, { email: next })).status).toBe(200);
    const back = await patch(u, { email: u.email });
    expect(back.body).toMatchObject({ email: u.email, emailVerified: true, pendingEmail: null });

    // Settings whose address is another one: the token's verified address replaces it at once.
    const other = await newUser(stack, { prefix: 'verify', settings: { email: fresh('old') } });
    const mine = await patch(other, { email: other.email });
    expect(mine.body).toMatchObject({ email: other.email, emailVerified: true, pendingEmail: null });
    await stack.streams.idle();
    expect(await mailsTo(other.email!)).toEqual([]);
  });

  it('until it is confirmed, call summaries and sign-in alerts go to the verified address, never to the pending one', async () => {
    const u = await user({ assistant: { greeting: 'Guten Tag' } });
    const next = fresh('pending');
    expect((await patch(u, { email: next })).status).toBe(200);

    const call = await callOf(u);
    const deviceSk = await secondDevice(u);
    await stack.streams.idle();
    expect((await mailsTo(u.email!)).map((m) => m.tags[0]).sort()).toEqual(['call-summary', 'sign-in-alert']);
    expect(call.summaryMailId).toEqual(expect.any(String));
    expect((await rowOf(stack, u.sub, deviceSk))!.alertMailId).toEqual(expect.any(String));
    await confirmationTo(next);
    expect((await mailsTo(next)).map((m) => m.tags[0])).toEqual(['email-confirmation']);
  });
});

describe('an address Auth0 has not verified', () => {
  it('gets no sign-in alert and no call summary: each is skipped and marked `unverified-email`', async () => {
    const u = await user({ emailVerified: false, assistant: { greeting: 'Guten Tag' } });
    expect((await settingsRow(u))!).toMatchObject({ email: u.email, emailVerified: false });
    expect((await stack.call('GET', '/v1/me', { token: u.token })).body.settings).toMatchObject({ email: u.email, emailVerified: false, pendingEmail: null });

    const call = await callOf(u);
    expect(call).toMatchObject({ summarySkipped: 'unverified-email' });
    expect(call).not.toHaveProperty('summaryMailId');
    const deviceSk = await secondDevice(u);
    expect((await rowOf(stack, u.sub, deviceSk))!).toMatchObject({ alertSkipped: 'unverified-email' });
    await stack.streams.idle();
    expect(await mailsTo(u.email!)).toEqual([]);
  });

  it("Auth0's directory address is used, and kept on the settings as verified, only when Auth0 says email_verified", async () => {
    const addUser = async (u: TestUser, email: string, verified: boolean) => {
      const res = await fetch(`${stack.emulators.auth0}/_users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: u.sub, email, email_verified: verified }),
      });
      expect(res.status).toBe(201);
    };
    const unverified = await user({ email: null, assistant: { greeting: 'Guten Tag' } });
    const unverifiedAddress = fresh('directory-unverified');
    await addUser(unverified, unverifiedAddress, false);
    expect(await callOf(unverified)).toMatchObject({ summarySkipped: 'unverified-email' });
    expect((await settingsRow(unverified))!.email).toBeNull();

    const verified = await user({ email: null, assistant: { greeting: 'Guten Tag' } });
    const verifiedAddress = fresh('directory-verified');
    await addUser(verified, verifiedAddress, true);
    expect(await callOf(verified)).toMatchObject({ summaryMailId: expect.any(String) });
    expect((await settingsRow(verified))!).toMatchObject({ email: verifiedAddress, emailVerified: true });
    await stack.streams.idle();
    expect(await mailsTo(unverifiedAddress)).toEqual([]);
    expect((await mailsTo(verifiedAddress)).map((m) => m.tags[0])).toEqual(['call-summary']);
  });

  it("is never a call report's reply-to: the review email of an unverified reporter has none", async () => {
    const u = await user({ emailVerified: false });
    const startedAt = '2026-03-02T09:15:00.000Z';
    const call = bareCall(startedAt, 10, 'asst-verify');
    const { callId } = call;
    await callsRepository(stack.table).create(u.sub, call);
    const res = await stack.call('POST', '/v1/me/call-reports', { token: u.token, body: { callId, startedAt, description: 'Wrong answer.', locale: 'en' } });
    expect(res.status).toBe(202);
    const mail = await waitFor('the review email', async () => (await stack.mails()).find((m) => m.variables.reportId === res.body.reportId));
    expect(mail.replyTo).toBeUndefined();
    expect(`${mail.text}${mail.html}`).not.toContain(u.email!);
    expect((await rowsOf(stack, u.sub, 'CALLREPORT#'))[0]).toMatchObject({ reporterEmail: null });
  });
});
