// POST /v1/me/call-reports through the local API, and the review team's email from the table's stream:
// the report's own row and its one email (the call's link, the reporter, the start, the language, the
// description escaped in the HTML), a call reported twice as two reports, another user's or an unknown
// call as 404 with nothing stored or sent, a start that is not the call's and invalid bodies as 400
// with nothing written, and a redelivered record sending nothing twice. Calls are stored with the real
// calls repository, as the Vapi webhook stores them.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { invoke, lambdaContext } from '../../lib/local/lambda';
import { appConfig } from '../../shared/config/app';
import { callsRepository, type CallRow } from '../../shared/db/calls';
import { workerStack, waitFor, type SentMail, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';
import { newUser as stackUser, rowsOf } from '../support/users';

const PATH = '/v1/me/call-reports';
const REVIEW_INBOX = 'review@fonella.local';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

interface User {
  sub: string;
  email: string;
  token: string;
}

/** A customer with a token; `settings` also creates their settings row (GET /v1/me, then the PATCH given). */
async function newUser(opts: { settings?: Record<string, string> | false } = {}): Promise<User> {
  const { sub, email, token } = await stackUser(stack, { prefix: 'report', firstLogin: opts.settings !== false });
  if (opts.settings) expect((await stack.call('PATCH', '/v1/me/settings', { token, body: opts.settings })).status).toBe(200);
  return { sub, email: email!, token };
}

/** A call of `user`, stored as the Vapi webhook stores one. */
async function newCall(user: User, startedAt = '2026-03-02T09:15:00.000Z'): Promise<CallRow> {
  const call: CallRow = {
    callId: `call-${randomUUID()}`,
    assistantId: `asst-${user.sub.slice(-8)}`,
    callerNumber: '+4930123456',
    startedAt,
    endedAt: new Date(Date.parse(startedAt) + 95_000).toISOString(),
    durationSeconds: 95,
    endedReason: 'customer-ended-call',
    summary: 'The caller asked for opening hours.',
    transcript: 'AI: Hello.\nUser: When are you open?',
    recordingUrl: null,
    cost: 0.12,
    receivedAt: new Date().toISOString(),
  };
  expect(await callsRepository(stack.table).create(user.sub, call)).toBe(true);
  return call;
}

const body = (call: CallRow, over: Record<string, unknown> = {}) => ({
  callId: call.callId,
  startedAt: call.startedAt,
  description: 'The assistant promised a refund it cannot give.',
  locale: 'en',
  ...over,
});
const report = (user: User, b: unknown, headers: Record<string, string> = {}) => stack.call('POST', PATH, { token: user.token, body: b, headers });

const reportsOf = (user: User) => rowsOf(stack, user.sub, 'CALLREPORT#');
const reportRow = async (user: User, reportId: string) => (await reportsOf(user)).find((r) => r.reportId === reportId);
const mailsFor = async (reportId: string) => (await stack.mails()).filter((m) => m.variables.reportId === reportId);

/** Waits for the report's mark, then for the stream to be idle; answers its one email. */
async function delivered(user: User, reportId: string): Promise<SentMail> {
  await waitFor('the report marked sent', async () => Boolean((await reportRow(user, reportId))?.mailId));
  await stack.streams.idle();
  const mails = await mailsFor(reportId);
  expect(mails).toHaveLength(1);
  return mails[0]!;
}

const link = (call: CallRow) => `${appConfig().portalUrl}/calls/${call.callId}`;

describe('POST /v1/me/call-reports', () => {
  it('stores the report as its own row and answers 202 with its id; the review inbox gets one email with the link, the reporter, the start, the language and the description', async () => {
    const user = await newUser();
    const call = await newCall(user);
    const description = 'It said <b>"free"</b> & <script>alert(1)</script>\nsecond line';
    const res = await report(user, body(call, { description }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ reportId: expect.stringMatching(UUID) });
    const { reportId } = res.body as { reportId: string };

    const row = (await reportRow(user, reportId))!;
    expect(row).toMatchObject({
      entity: 'callReport',
      reportId,
      callId: call.callId,
      callStartedAt: call.startedAt,
      description,
      locale: 'en',
      reporterEmail: user.email,
    });
    expect(row.sk).toBe(`CALLREPORT#${row.reportedAt}#${reportId}`);
    expect(Math.abs(Date.parse(String(row.reportedAt)) - Date.now())).toBeLessThan(60_000);

    const mail = await delivered(user, reportId);
    expect(mail).toMatchObject({ to: [REVIEW_INBOX], replyTo: user.email, tags: ['call-report'] });
    expect(mail.subject).toBe(`Call reported for review: ${call.callId}`);
    const text = mail.text!.replace(/\r\n/g, '\n');
    expect(text).toContain(`Call: ${call.callId}\nStarted: ${call.startedAt}\nReported by: ${user.email}\nUser: ${user.sub}\nLanguage: English\nReport: ${reportId}`);
    expect(text).toContain(description);
    expect(text).toContain(link(call));
    expect(mail.html).toContain(`<a href="${link(call)}"`);
    expect(mail.html).toContain('It said &lt;b&gt;&quot;free&quot;&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;<br>');
    expect(mail.html).not.toMatch(/<script|<b>/);
    expect(mail.html).toContain(user.email);
    expect((await reportRow(user, reportId))!.mailId).toBe(mail.id);
  });

  it('the same call reported twice is two reports: two rows, two emails', async () => {
    const user = await newUser();
    const call = await newCall(user);
    const first = await report(user, body(call, { description: 'First report.' }));
    const second = await report(user, body(call, { description: 'Second report.' }));
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(first.body.reportId).not.toBe(second.body.reportId);
    const [a, b] = [await delivered(user, first.body.reportId), await delivered(user, second.body.reportId)];
    expect(a.text).toContain('First report.');
    expect(b.text).toContain('Second report.');
    expect((await reportsOf(user)).map((r) => r.description).sort()).toEqual(['First report.', 'Second report.']);
  });

  it('takes the start in another offset (the same instant); without `locale`, the settings\' language, and without settings, the token\'s address and Accept-Language', async () => {
    const withSettings = await newUser({ settings: { locale: 'en' } });
    const call = await newCall(withSettings, '2026-03-02T09:15:00.000Z');
    const res = await report(withSettings, body(call, { startedAt: '2026-03-02T10:15:00+01:00', locale: undefined }), { 'accept-language': 'de' });
    expect(res.status).toBe(202);
    expect(await reportRow(withSettings, res.body.reportId)).toMatchObject({ locale: 'en', callStartedAt: '2026-03-02T09:15:00.000Z' });

    const noSettings = await newUser({ settings: false });
    const other = await newCall(noSettings);
    const en = await report(noSettings, body(other, { locale: undefined }), { 'accept-language': 'en-GB,en;q=0.9' });
    expect(en.status).toBe(202);
    expect(await reportRow(noSettings, en.body.reportId)).toMatchObject({ locale: 'en', reporterEmail: noSettings.email });
    const de = await report(noSettings, body(other, { locale: undefined }));
    expect(await reportRow(noSettings, de.body.reportId)).toMatchObject({ locale: 'de' });
    expect((await delivered(noSettings, de.body.reportId)).text).toContain('Language: German');
  });

  it("another user's call → 404 call-not-found: nothing stored, nothing sent", async () => {
    const owner = await newUser();
    const call = await newCall(owner);
    const stranger = await newUser();
    const before = await settle(stack);
    const res = await report(stranger, body(call));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: 'urn:fonella:problem:call-not-found', status: 404 });
    await stack.streams.idle();
    await expectUnchanged(stack, before, "a report of another user's call");
    expect(await reportsOf(stranger)).toEqual([]);
    expect(await reportsOf(owner)).toEqual([]);
  });

  it('an unknown call id → 404 call-not-found, nothing stored', async () => {
    const user = await newUser();
    const call = await newCall(user);
    const before = await settle(stack);
    const res = await report(user, body(call, { callId: `call-${randomUUID()}` }));
    expect(res.status).toBe(404);
    expect(res.body.type).toBe('urn:fonella:problem:call-not-found');
    await stack.streams.idle();
    await expectUnchanged(stack, before, 'a report of an unknown call');
  });

  it("a start that is not the call's → 400 call-start-mismatch naming body.startedAt, nothing stored", async () => {
    const user = await newUser();
    const call = await newCall(user, '2026-03-02T09:15:00.000Z');
    const before = await settle(stack);
    for (const startedAt of ['2026-03-02T09:15:01.000Z', '2026-03-02T09:15:00.000+01:00']) {
      const res = await report(user, body(call, { startedAt }));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: 'urn:fonella:problem:call-start-mismatch', errors: [{ path: 'body.startedAt', message: expect.any(String) }] });
    }
    await stack.streams.idle();
    await expectUnchanged(stack, before, 'a report with the wrong start');
  });

  it('refuses invalid bodies with 400 validation, naming each field, and writes nothing', async () => {
    const user = await newUser();
    const call = await newCall(user);
    const before = await settle(stack);
    const paths = async (b: unknown) => {
      const res = await report(user, b);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.type).toBe('urn:fonella:problem:validation');
      return [...new Set((res.body.errors as { path: string }[]).map((e) => e.path))];
    };
    expect(await paths({})).toEqual(expect.arrayContaining(['body.callId', 'body.startedAt', 'body.description']));
    expect(await paths(body(call, { startedAt: 'yesterday' }))).toEqual(['body.startedAt']);
    expect(await paths(body(call, { startedAt: '2026-02-30T09:15:00Z' }))).toEqual(['body.startedAt']);
    expect(await paths(body(call, { locale: 'fr' }))).toEqual(['body.locale']);
    expect(await paths(body(call, { description: 'x'.repeat(2001) }))).toEqual(['body.description']);
    expect(await paths(body(call, { description: ' \n\t ' }))).toEqual(['body.description']);
    expect(await paths(body(call, { callId: 'call/../other' }))).toEqual(['body.callId']);
    expect(await paths(body(call, { reporterEmail: 'someone@example.com' }))).toEqual(['body.reporterEmail']);
    await stack.streams.idle();
    await expectUnchanged(stack, before, 'invalid call reports');

    // At its bound the description is taken.
    expect((await report(user, body(call, { description: 'x'.repeat(2000) }))).status).toBe(202);
  });

  it('a retry with the same Idempotency-Key gets the first answer: one report, one email', async () => {
    const user = await newUser();
    const call = await newCall(user);
    const key = randomUUID();
    const first = await report(user, body(call), { 'idempotency-key': key });
    const retry = await report(user, body(call), { 'idempotency-key': key });
    expect([first.status, retry.status]).toEqual([202, 202]);
    expect(retry.body).toEqual(first.body);
    await delivered(user, first.body.reportId);
    expect(await reportsOf(user)).toHaveLength(1);
  });
});

describe('notifyCallReport', () => {
  it('a redelivered record of a sent report sends nothing; an unmarked one is sent once and marked', async () => {
    const user = await newUser();
    const call = await newCall(user);
    const res = await report(user, body(call));
    const reportId = res.body.reportId as string;
    const first = await delivered(user, reportId);
    const row = (await reportRow(user, reportId))!;
    const { mailId: _m, sentAt: _s, ...inserted } = row;
    const record: DynamoDBRecord = {
      eventID: `redelivered-${reportId}`,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: marshall({ pk: row.pk, sk: row.sk }) as never,
        NewImage: marshall(inserted, { removeUndefinedValues: true }) as never,
        SequenceNumber: '900000000000000000007',
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    const { handler } = (await import('../../functions/streams/notify-call-report')) as {
      handler: (e: DynamoDBStreamEvent, c: unknown) => Promise<{ batchItemFailures: unknown[] }>;
    };
    const handle = async () => {
      const context = lambdaContext('notifyCallReport', 30_000);
      const out = await invoke(context, () => handler({ Records: [record] }, context));
      expect(out.batchItemFailures).toEqual([]);
    };
    await handle();
    await handle();
    expect(await mailsFor(reportId)).toEqual([first]);

    // As if Mailgun had taken the email and the mark had not been written (the one window left; this
    // MODIFY reaches no worker): the record, handled twice, sends it once more and marks it.
    await stack.table.doc.send(
      new UpdateCommand({ TableName: stack.table.tableName, Key: { pk: row.pk, sk: row.sk }, UpdateExpression: 'REMOVE mailId, sentAt' }),
    );
    await stack.streams.idle();
    await handle();
    await handle();
    const mails = await mailsFor(reportId);
    expect(mails).toHaveLength(2);
    expect((await reportRow(user, reportId))!.mailId).toBe(mails[1]!.id);
  });

  it('with Mailgun failing on the first try, the stream retries and exactly one email arrives', async () => {
    const user = await newUser();
    const call = await newCall(user);
    await settle(stack);
    await stack.fault('mailgun', { mode: 'error', count: 1 });
    const res = await report(user, body(call));
    const reportId = res.body.reportId as string;
    const mail = await delivered(user, reportId);
    expect(mail.to).toEqual([REVIEW_INBOX]);
    // The fault was spent on this email's first attempt, and nothing of the report is parked.
    const pending = (await (await fetch(`${stack.emulators.mailgun}/_faults`)).json()) as { pending: unknown[] };
    expect(pending.pending).toEqual([]);
    expect(stack.streams.parked().filter((p) => String(p.keys.sk).endsWith(`#${reportId}`))).toEqual([]);
  });
});
