// Data exports through the local API: POST /v1/me/exports starts one, the produceExport worker writes
// the JSON document and the calls' CSV to the exports bucket (the S3 emulator, through the real SDK)
// and emails the customer; GET /v1/me/exports/{id} answers presigned links that work, and stop working
// at their expiry (the emulator's clock moved on). One export at a time, a few a day, only the
// caller's own; the document holds the calls' summaries and no secret.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../lib/local/stack';
import { accountPrefix } from '../../shared/providers/s3/adapter';
import { PUBLIC_GATEWAY } from '../support/gateways';
import { settle } from '../support/state';
import { waitFor, workerStack, type TestStack } from '../support/stack';
import { newUser, rowsOf } from '../support/users';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});
afterEach(async () => {
  await fetch(`${stack.emulators.s3}/_clock`, { method: 'DELETE' });
  await fetch(`${stack.emulators.s3}/_faults`, { method: 'DELETE' });
});

const LINK_SECONDS = 900;
type S3Object = { key: string; serverSideEncryption: string | null };
const objects = async () => (await stack.inspect<{ objects: S3Object[] }>('s3')).objects;

async function simulatedCall(assistantId: string, summary: string) {
  const res = await fetch(`${stack.emulators.vapi}/_simulate/end-of-call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ assistantId, customerNumber: '+4915198765432', summary }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { callId: string }).callId;
}

/** Asks for an export and waits until the worker made it: the export as GET answers it. */
async function readyExport(token: string) {
  const started = await stack.call('POST', '/v1/me/exports', { token });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  await settle(stack);
  const res = await stack.call('GET', `/v1/me/exports/${started.body.exportId}`, { token });
  expect(res.status).toBe(200);
  expect(res.body.status).toBe('ready');
  return res.body as { exportId: string; expiresAt: string; files: { name: string; url: string; bytes: number; contentType: string; urlExpiresAt: string }[] };
}

describe('an export of the demo customer after a simulated call', () => {
  it('holds the call with its summary, every section and no secret; its links work, then expire; the customer is emailed', async () => {
    const token = stack.tokens.customer;
    const sub = DEMO_USERS.customer.sub;
    const assistant = await stack.call('PUT', '/v1/me/assistant', { token, body: { greeting: 'Guten Tag, Demo!', language: 'de' } });
    expect(assistant.status).toBe(200);
    const summary = `Frau Klein fragt nach dem Angebot ${randomUUID().slice(0, 8)}.`;
    const callId = await simulatedCall(assistant.body.assistantId, summary);
    await waitFor('the call stored', async () => (await rowsOf(stack, sub, 'CALL#')).some((r) => r.callId === callId));
    // Secrets the account's rows touched: a push token, an external trunk's SIP password (given to Vapi only).
    const pushToken = `push-${randomUUID()}`;
    expect((await stack.call('POST', '/v1/me/devices', { token, body: { deviceId: `demo-${randomUUID()}`, platform: 'ios', pushToken } })).status).toBe(200);
    const sipPassword = `sip-pw-${randomUUID()}`;
    const trunk = await stack.call('POST', '/v1/me/integrations', {
      token,
      body: { mode: 'external', gateway: PUBLIC_GATEWAY.ipv4, authUsername: 'pbx-demo', authPassword: sipPassword, phoneNumber: `+4930${String(Date.now()).slice(-8)}` },
    });
    expect([201, 409]).toContain(trunk.status);

    // An API key: its metadata is exported, its token never.
    const key = await stack.call('POST', '/v1/me/api-keys', { token, body: { name: 'Export check', scopes: ['calls:read'] } });
    expect(key.status, JSON.stringify(key.body)).toBe(201);

    const ready = await readyExport(token);
    expect(ready.files.map((f) => f.name)).toEqual(['fonella-export.json', 'calls.csv']);
    const inBucket = (await objects()).filter((o) => o.key.startsWith(`${accountPrefix(sub)}${ready.exportId}/`));
    expect(inBucket).toHaveLength(2);
    for (const o of inBucket) expect(o.serverSideEncryption).toBe('AES256');

    const json = ready.files.find((f) => f.name === 'fonella-export.json')!;
    const res = await fetch(json.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="fonella-export.json"');
    const text = await res.text();
    expect(Buffer.byteLength(text)).toBe(json.bytes);
    const doc = JSON.parse(text);
    expect(doc).toMatchObject({ schemaVersion: 1, kind: 'fonella-account-export', exportId: ready.exportId, userId: sub });
    expect(Object.keys(doc.sections)).toEqual(doc.sectionIndex.map((s: { name: string }) => s.name));
    for (const name of ['settings', 'subscription', 'assistant', 'phoneLines', 'devices', 'calls', 'callReports', 'referral', 'apiKeys', 'webhookEndpoints', 'hotlines']) expect(doc.sections).toHaveProperty(name);
    const call = doc.sections.calls.find((c: { callId: string }) => c.callId === callId);
    expect(call).toMatchObject({ summary, callerNumber: '+4915198765432' });
    expect(call.deletedAfter).toEqual(expect.any(String));
    expect(doc.sections.settings.email).toBe(DEMO_USERS.customer.email);
    expect(doc.sections.assistant.greeting).toBe('Guten Tag, Demo!');

    // No secret: none of the stack's provider credentials, the account's push token or SIP password, nor a field named like one.
    expect(doc.sections.apiKeys).toContainEqual(expect.objectContaining({ keyId: key.body.keyId, name: 'Export check', prefix: key.body.prefix, scopes: ['calls:read'] }));
    const known = [pushToken, sipPassword, key.body.token as string, ...Object.values(stack.credentials).flatMap((c) => Object.values(c))].filter((s) => s.length >= 8);
    for (const secret of known) expect(text, 'a secret in the export').not.toContain(secret);
    expect(text).not.toMatch(/"[A-Za-z]*(password|secret|token|hash|sealed)[A-Za-z]*"\s*:/i);
    expect(text).not.toMatch(/"(pk|sk|gsi1pk|gsi2pk)"\s*:/);

    const csv = ready.files.find((f) => f.name === 'calls.csv')!;
    const csvText = await (await fetch(csv.url)).text();
    expect(csvText.split('\r\n')[0]).toBe('callId,startedAt,endedAt,durationSeconds,callerNumber,endedReason,summary,transcript,recordingUrl,cost,deletedAfter');
    expect(csvText).toContain(callId);
    expect(csvText).toContain(summary);

    // The link works until its lifetime is over, by the bucket's clock, and not a second after.
    expect(Date.parse(json.urlExpiresAt) - Date.now()).toBeLessThanOrEqual(LINK_SECONDS * 1000);
    await fetch(`${stack.emulators.s3}/_clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: LINK_SECONDS - 60 }) });
    expect((await fetch(json.url)).status).toBe(200);
    await fetch(`${stack.emulators.s3}/_clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 61 }) });
    const expired = await fetch(json.url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');

    const mails = (await stack.mails()).filter((m) => JSON.stringify(m.to).includes(DEMO_USERS.customer.email) && /Datenexport/.test(m.subject));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(`/settings/privacy/exports/${ready.exportId}`);
    expect(mails[0]!.text).not.toContain('X-Amz-Signature');
  });
});

describe('POST /v1/me/exports', () => {
  it('one at a time: while one is being made (the bucket failing) another is 409; a re-drive finishes it', async () => {
    const u = await newUser(stack, { prefix: 'export', firstLogin: true });
    await stack.fault('s3', { mode: 'error', count: 1000, match: accountPrefix(u.sub) });
    const first = await stack.call('POST', '/v1/me/exports', { token: u.token });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'running', schemaVersion: 1, files: [] });
    const parked = await waitFor('the export parked', async () => stack.streams.parked().find((p) => p.keys.pk === `USER#${u.sub}`), 30_000);
    const again = await stack.call('POST', '/v1/me/exports', { token: u.token });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:fonella:problem:export-running');
    expect((await stack.call('GET', `/v1/me/exports/${first.body.exportId}`, { token: u.token })).body.status).toBe('running');

    await fetch(`${stack.emulators.s3}/_faults`, { method: 'DELETE' });
    expect(stack.streams.redrive(parked.id)).toBe(1);
    await settle(stack);
    expect((await stack.call('GET', `/v1/me/exports/${first.body.exportId}`, { token: u.token })).body.status).toBe('ready');
    expect(await rowsOf(stack, u.sub, 'EXPORTLOCK')).toEqual([]);
  }, 60_000);

  it('a few a day: the fourth of the day is 429 with Retry-After, nothing started', async () => {
    const u = await newUser(stack, { prefix: 'export', firstLogin: true });
    for (let i = 0; i < 3; i++) await readyExport(u.token);
    const over = await stack.call('POST', '/v1/me/exports', { token: u.token });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await rowsOf(stack, u.sub, 'EXPORT#')).toHaveLength(3);
  });

  it("another user's export, or an unknown id → 404", async () => {
    const owner = await newUser(stack, { prefix: 'export', firstLogin: true });
    const other = await newUser(stack, { prefix: 'export-other', firstLogin: true });
    const ready = await readyExport(owner.token);
    for (const [token, id] of [[other.token, ready.exportId], [owner.token, randomUUID()]] as const) {
      const res = await stack.call('GET', `/v1/me/exports/${id}`, { token });
      expect(res.status).toBe(404);
      expect(res.body.type).toBe('urn:fonella:problem:not-found');
    }
  });
});
