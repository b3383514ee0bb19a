// A hung table: with DynamoDB Local's JVM paused (SIGSTOP), a route that needs the table answers
// 503 problem+json with Retry-After within seconds (the table client's timeouts and bounded retries,
// well inside the function timeout), not a 500 after the function timed out. Once the JVM runs again,
// a retry with the same Idempotency-Key creates the contact request once, and the stream tailer,
// whose reads hung meanwhile, still delivers.
//
// This file runs its own DynamoDB Local: pausing the one the other suites share would stall them.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIGHT_JVM, startDynamoLocal, type DynamoLocal } from '../../lib/local/dynamo';
import { startStack, type LocalStack } from '../../lib/local/stack';
import { SUITE_LIMITS } from '../../lib/local/limits';
import { TABLE_CLIENT_LIMITS, tableRef } from '../../shared/db/client';
import { assertMatchesContract } from '../support/openapi-contract';
import type { SentMail } from '../support/stack';

let dynamo: DynamoLocal | undefined;
let stack: LocalStack | undefined;
let tableName: string;

/** Never leave the JVM stopped: a stopped process ignores SIGTERM until it runs again. */
const resume = () => {
  if (dynamo) {
    try {
      process.kill(dynamo.pid, 'SIGCONT');
    } catch {
      /* already gone */
    }
  }
};

beforeAll(async () => {
  dynamo = await startDynamoLocal({ jvmOptions: LIGHT_JVM });
  tableName = `outage-${randomUUID().slice(0, 8)}`;
  stack = await startStack({ apiPort: 0, emulatorBasePort: 0, dynamoEndpoint: dynamo.endpoint, tableName, env: SUITE_LIMITS });
});

afterAll(async () => {
  resume();
  try {
    await stack?.stop();
  } finally {
    await dynamo?.stop();
  }
});

async function call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const started = Date.now();
  const res = await fetch(`${stack!.apiUrl}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  assertMatchesContract({ method, path, status: res.status, contentType: res.headers.get('content-type'), text, body });
  return { status: res.status, headers: res.headers, body: body as Record<string, unknown>, ms: Date.now() - started };
}

const contactRows = async (marker: string) => {
  const t = tableRef({ tableName, endpoint: dynamo!.endpoint });
  try {
    const items = (await t.doc.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    return items.filter((r) => String(r.pk).startsWith('CONTACT#') && String(r.message).includes(marker));
  } finally {
    t.client.destroy();
  }
};

describe('a hung table', () => {
  it('answers 503 with Retry-After within seconds, and a retry with the same key stores the request once', async () => {
    const token = await stack!.mintToken({ sub: 'auth0|outage-user', email: 'outage@example.com', name: 'Outage' });
    const marker = `outage-${randomUUID()}`;
    const form = { name: 'Ada', email: 'ada@example.com', message: `Call me. ${marker}` };
    const key = randomUUID();

    // Warm: both handlers loaded, the caller's settings created, nothing pending on the stream.
    expect((await call('GET', '/v1/me', { token })).status).toBe(200);
    expect((await call('POST', '/v1/public/contact', { body: { ...form, email: 'bad' } })).status).toBe(400);
    await stack!.streams.idle();

    process.kill(dynamo!.pid, 'SIGSTOP');
    let answers: Awaited<ReturnType<typeof call>>[];
    try {
      answers = await Promise.all([
        call('GET', '/v1/me', { token }),
        call('POST', '/v1/public/contact', { body: form, headers: { 'idempotency-key': key } }),
      ]);
    } finally {
      resume();
    }
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body).toMatchObject({ type: 'urn:fonella:problem:table-unavailable', status: 503 });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      // The table client gives up after its bounded attempts (about 4 s), well before the function's
      // own timeout (10 s), which would have answered API Gateway's 500.
      const { maxAttempts, requestTimeoutMs } = TABLE_CLIENT_LIMITS;
      expect(res.ms).toBeLessThan(maxAttempts * requestTimeoutMs + 3000);
    }

    // The table is back: the client retries with the same key until it gets its answer (409 while
    // the first attempt's record still counts as in progress).
    let retried: Awaited<ReturnType<typeof call>> | undefined;
    const deadline = Date.now() + 20_000;
    for (;;) {
      retried = await call('POST', '/v1/public/contact', { body: form, headers: { 'idempotency-key': key } });
      if (retried.status !== 409 && retried.status !== 503) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000 * Number(retried!.headers.get('retry-after') ?? 1)));
    }
    expect(retried.status).toBe(202);
    const again = await call('POST', '/v1/public/contact', { body: form, headers: { 'idempotency-key': key } });
    expect(again.body).toEqual(retried.body);
    expect(await contactRows(marker)).toHaveLength(1);
    expect((await call('GET', '/v1/me', { token })).status).toBe(200);

    // The stream tailer survived its hung reads: the request is emailed, once.
    const mails = async () => {
      const res = await fetch(`${stack!.emulators.mailgun}/_inspect`);
      return ((await res.json()) as { messages: SentMail[] }).messages.filter((m) => String(m.text).includes(marker));
    };
    const deadlineMail = Date.now() + 15_000;
    while ((await mails()).length === 0 && Date.now() < deadlineMail) await new Promise((r) => setTimeout(r, 100));
    await stack!.streams.idle();
    expect(await mails()).toHaveLength(1);
  }, 60_000);
});
