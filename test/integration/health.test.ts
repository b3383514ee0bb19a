// GET /v1/health through the local API. The shallow check touches nothing; `?deep=1` reads the table
// once and answers 503 `unhealthy` when the table does not answer. The outage is made by deleting this
// file's own table (every test file has its own) in the last block, so no other suite sees it.
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableRef } from '../../shared/db/client';
import { healthRepository } from '../../shared/db/health';
import { startTestStack, type TestStack } from '../support/stack';
import { recordTableCommands } from '../support/table-commands';

/** Every table command of the product's clients (the handlers run in this process), by name. */
const recorder = recordTableCommands();
const callsDuring = async (what: () => Promise<void>) => {
  const from = recorder.sent.length;
  await what();
  return recorder.sent.slice(from).map((c) => c.name);
};

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  // What the start wrote has reached the stream workers (their table calls are not the route's).
  await stack.streams.idle();
});
afterAll(async () => {
  recorder.stop();
  await stack?.stop();
});

describe('GET /v1/health (shallow)', () => {
  it.each(['', '?deep=0', '?deep=false'])('%s: 200 with service, stage and time, no checks, and no table call', async (query) => {
    const calls = await callsDuring(async () => {
      const res = await stack.call('GET', `/v1/health${query}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', service: 'fonella-api', stage: 'test', timestamp: expect.any(String) });
    });
    expect(calls).toEqual([]);
  });
});

describe('GET /v1/health?deep=1', () => {
  it.each(['?deep=1', '?deep=true'])('%s: 200 with checks.table ok, after one read of the table', async (query) => {
    const calls = await callsDuring(async () => {
      const res = await stack.call('GET', `/v1/health${query}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', service: 'fonella-api', stage: 'test', checks: { table: 'ok' } });
      expect(Date.parse(res.body.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    });
    expect(calls).toEqual(['GetItem']);
  });

  it('writes nothing: the probe key stays absent', async () => {
    await stack.call('GET', '/v1/health?deep=1');
    expect((await stack.scan()).filter((r) => r.pk === 'HEALTH')).toEqual([]);
  });

  it.each([
    ['?deep=yes', 'query.deep'],
    ['?deep=', 'query.deep'],
    ['?deep=1&verbose=1', 'query.verbose'],
  ])('%s: 400 validation naming %s, without touching the table', async (query, path) => {
    const calls = await callsDuring(async () => {
      const res = await stack.call('GET', `/v1/health${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.type).toBe('urn:fonella:problem:validation');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    });
    expect(calls).toEqual([]);
  });
});

describe('the probe', () => {
  let server: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never answers: a table that hangs.
    server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('gives up on a table that does not answer once its timeout has passed', async () => {
    const { port } = server.address() as { port: number };
    const repo = healthRepository(tableRef({ tableName: 'hangs', endpoint: `http://127.0.0.1:${port}` }));
    const started = performance.now();
    const { outcome } = await repo.probe(300);
    expect(outcome).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1500);
  });
});

// Last: this file's table is deleted, the outage the deep check must report.
describe('with the table gone', () => {
  beforeAll(async () => {
    const admin = new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await admin.send(new DeleteTableCommand({ TableName: stack.table.tableName }));
    admin.destroy();
  });

  it('?deep=1 answers 503 unhealthy, naming the table check', async () => {
    const res = await stack.call('GET', '/v1/health?deep=1');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: 'urn:fonella:problem:unhealthy', status: 503, title: 'Service unhealthy' });
    expect(res.body.detail).toBe('Failed check: table (the read failed).');
  });

  it('the shallow check still answers 200: it never needed the table', async () => {
    const res = await stack.call('GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body.checks).toBeUndefined();
  });
});
