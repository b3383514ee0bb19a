// The table's stream end to end through the local runtime: a route writes a row, the tailer hands
// its INSERT to the worker, the worker's effect happens once, however often the record arrives,
// and what keeps failing is parked where the hub shows it until a re-drive.
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { startStreamTailer } from '../../lib/local/streams';
import { invoke, lambdaContext } from '../../lib/local/lambda';
import { deliverContactEmail } from '../../lib/workers';
import { worker } from '../../shared/streams/worker';
import type { WorkerDef } from '../../shared/streams/worker-def';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { partition } from '../support/users';

const root = new URL('../../', import.meta.url).pathname;
let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

async function contact(message: string): Promise<string> {
  const res = await stack.call('POST', '/v1/public/contact', { body: { name: 'Grace Hopper', email: 'grace@example.com', message } });
  expect(res.status).toBe(202);
  return res.body.requestId as string;
}
const mailsFor = async (requestId: string) => (await stack.mails()).filter((m) => m.variables.requestId === requestId);
const rowOf = async (requestId: string) => (await partition(stack, `CONTACT#${requestId}`))[0];
const parked = async () =>
  ((await (await fetch(`${stack.hubUrl}/_inspect`)).json()) as {
    streams: { parked: { id: string; worker: string; keys: { pk: string }; attempts: number; lastError: string }[] };
  }).streams.parked;
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('contact email from the stream', () => {
  it('a contact form produces exactly one email, and the row is marked sent with its id', async () => {
    const id = await contact('One email, please.');
    const [mail] = await waitFor('the email', async () => {
      const m = await mailsFor(id);
      return m.length > 0 && m;
    });
    await waitFor('the sent mark', async () => (await rowOf(id))?.mailStatus === 'sent');
    await settle();
    expect(await mailsFor(id)).toHaveLength(1);
    expect(await rowOf(id)).toMatchObject({ mailStatus: 'sent', mailId: mail!.id });
  });

  it('with a Mailgun fault on the next 2 requests the email still arrives, once', async () => {
    await stack.fault('mailgun', { mode: 'error', count: 2 });
    const id = await contact('Through two failures.');
    await waitFor('the email after two retries', async () => (await mailsFor(id)).length > 0);
    await waitFor('the sent mark', async () => (await rowOf(id))?.mailStatus === 'sent');
    await settle();
    expect(await mailsFor(id)).toHaveLength(1);
    expect((await parked()).filter((p) => p.keys.pk === `CONTACT#${id}`)).toEqual([]);
  });

  it('with a permanent fault the record is parked after the configured attempts, shown by the hub, and a re-drive delivers it once', async () => {
    await stack.fault('mailgun', { mode: 'error', count: 1000 });
    let id = '';
    let dir = '';
    try {
      id = await contact('Parked until Mailgun is back.');
      const [entry] = await waitFor('the parked record', async () => {
        const p = (await parked()).filter((x) => x.keys.pk === `CONTACT#${id}`);
        return p.length > 0 && p;
      });
      expect(entry).toMatchObject({ worker: 'deliverContactEmail', attempts: deliverContactEmail.retryAttempts + 1 });
      expect(entry!.lastError).toMatch(/mailgun send message: unavailable/);
      expect(await mailsFor(id)).toEqual([]);
      expect(await rowOf(id)).toMatchObject({ mailStatus: 'pending' });
      const page = await (await fetch(stack.hubUrl)).text();
      expect(page).toContain(`CONTACT#${id}`);
      expect(page).toMatch(/Parked stream records \(\d+\)/);
    } finally {
      await fetch(`${stack.emulators.mailgun}/_faults`, { method: 'DELETE' });
    }

    // Mailgun is back: the command re-drives what the running stack parked.
    dir = mkdtempSync(join(tmpdir(), 'fonella-redrive-'));
    try {
      writeFileSync(join(dir, 'stack.json'), JSON.stringify({ hubUrl: stack.hubUrl }));
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/redrive.ts'], {
        cwd: root,
        env: { ...process.env, STACK_FILE: join(dir, 'stack.json') },
      });
      expect(stdout).toMatch(/Re-drove [1-9]\d* parked record/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await waitFor('the re-driven email', async () => (await mailsFor(id)).length > 0);
    await waitFor('the sent mark', async () => (await rowOf(id))?.mailStatus === 'sent');
    await settle();
    expect(await mailsFor(id)).toHaveLength(1);
    expect((await parked()).filter((p) => p.keys.pk === `CONTACT#${id}`)).toEqual([]);
  });

  it('the same stream record handled twice more sends no second email', async () => {
    const id = await contact('Delivered three times.');
    await waitFor('the sent mark', async () => (await rowOf(id))?.mailStatus === 'sent');
    const row = (await rowOf(id))!;
    const { pk, sk } = row;
    const record: DynamoDBRecord = {
      eventID: 'redelivered-1',
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: marshall({ pk, sk }) as never,
        NewImage: marshall({ ...row, mailStatus: 'pending', mailId: undefined, sentAt: undefined }, { removeUndefinedValues: true }) as never,
        SequenceNumber: '900000000000000000001',
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    const { handler } = (await import('../../functions/streams/deliver-contact-email')) as {
      handler: (e: DynamoDBStreamEvent, c: unknown) => Promise<{ batchItemFailures: unknown[] }>;
    };
    for (let i = 0; i < 2; i++) {
      const context = lambdaContext('deliverContactEmail', 30_000);
      const res = await invoke(context, () => handler({ Records: [record] }, context));
      expect(res.batchItemFailures).toEqual([]);
    }
    expect(await mailsFor(id)).toHaveLength(1);
  });
});

describe('batch semantics', () => {
  const def: WorkerDef = {
    name: 'batchProbe',
    handler: 'functions/streams/batch-probe.ts', // not a file: the test hands the tailer its handler
    summary: 'test worker',
    on: { events: ['INSERT'], pk: 'BATCHPROBE#' },
    uses: {},
    batchSize: 10,
    retryAttempts: 2,
    maxRecordAgeSeconds: 3600,
  };

  function probe(failFirst: Set<string>) {
    const calls: string[] = [];
    const effects: string[] = [];
    const done = new Set<string>();
    const handler = worker(def, async (row) => {
      const id = String(row.newImage?.id);
      calls.push(id);
      if (failFirst.delete(id)) throw new Error(`${id} fails once`);
      if (!done.has(id)) {
        done.add(id);
        effects.push(id);
      }
    });
    return { calls, effects, handler };
  }

  const record = (id: string, sequence: string): DynamoDBRecord => ({
    eventID: `e-${id}`,
    eventName: 'INSERT',
    dynamodb: { Keys: marshall({ pk: `BATCHPROBE#${id}`, sk: 'X' }) as never, NewImage: marshall({ id }) as never, SequenceNumber: sequence },
  });

  it('the handler reports only the failed record, and handles every record in stream order', async () => {
    const { calls, handler } = probe(new Set(['B']));
    const context = lambdaContext('batchProbe', 30_000);
    const res = await invoke(context, () => handler({ Records: [record('A', '1'), record('B', '2'), record('C', '3')] }, context));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
    expect(calls).toEqual(['A', 'B', 'C']);
  });

  it('records of one row keep their order: after a failed one, the later ones are not run but reported', async () => {
    const { calls, handler } = probe(new Set(['A']));
    const sameRow = (sequence: string): DynamoDBRecord => ({ ...record('A', sequence), eventName: 'MODIFY' });
    const context = lambdaContext('batchProbe', 30_000);
    const res = await invoke(context, () => handler({ Records: [record('A', '1'), sameRow('2'), record('C', '3')] }, context));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: '1' }, { itemIdentifier: '2' }]);
    expect(calls).toEqual(['A', 'C']);
  });

  it('through the local runtime: the record before the failure is not repeated, the failed one is retried, every effect happens once', async () => {
    await stack.table.doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [stack.table.tableName]: ['A', 'B', 'C'].map((id) => ({ PutRequest: { Item: { pk: `BATCHPROBE#${id}`, sk: 'X', id } } })),
        },
      }),
    );
    const { calls, effects, handler } = probe(new Set(['B']));
    // Started after the writes, it reads the three from the shard's start: one batch.
    const tailer = await startStreamTailer({
      endpoint: stack.dynamoEndpoint,
      tableName: stack.table.tableName,
      workers: { batchProbe: def },
      root,
      retryBaseMs: 10,
      load: async () => handler,
    });
    try {
      await waitFor('three effects', async () => effects.length === 3);
      await settle();
      expect(calls.filter((c) => c === 'A')).toHaveLength(1);
      expect(calls.filter((c) => c === 'B')).toHaveLength(2);
      expect(calls.slice(0, 3)).toEqual(['A', 'B', 'C']);
      expect([...effects].sort()).toEqual(['A', 'B', 'C']);
      expect(tailer.parked()).toEqual([]);
    } finally {
      await tailer.stop();
    }
  });

  it('shard iterators DynamoDB refuses as trimmed are taken again, after the last record read, else from the start: nothing lost, nothing handed on twice', async () => {
    const write = (ids: string[]) =>
      stack.table.doc.send(
        new BatchWriteCommand({ RequestItems: { [stack.table.tableName]: ids.map((id) => ({ PutRequest: { Item: { pk: `BATCHPROBE#${id}`, sk: 'X', id } } })) } }),
      );
    await write(['T1', 'T2']);
    const { calls, effects, handler } = probe(new Set());
    // The real client, refusing iterators for good, as DynamoDB Local refuses one now and then: the one
    // in use, then the one taken again after the last record read, so the reader falls back to the
    // shard's oldest record.
    const client = new DynamoDBStreamsClient({ endpoint: stack.dynamoEndpoint, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    let reads = 0;
    let refusals = 0;
    const refused = new Set<string>();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetRecordsCommand') {
          const iterator = (args.input as { ShardIterator?: string }).ShardIterator ?? '';
          if (refusals > 0) {
            refusals--;
            refused.add(iterator);
          }
          if (refused.has(iterator)) throw Object.assign(new Error('The operation attempted to read past the oldest stream record in a shard.'), { name: 'TrimmedDataAccessException' });
          reads++;
        }
        return next(args);
      },
      { step: 'initialize', name: 'trimmedIterators' },
    );
    const tailer = await startStreamTailer({ endpoint: stack.dynamoEndpoint, tableName: stack.table.tableName, workers: { batchProbe: def }, root, load: async () => handler, streamsClient: client });
    try {
      await waitFor('the first two effects', async () => effects.includes('T1') && effects.includes('T2'));
      // T3 written, then the next two reads refused.
      const before = reads;
      await write(['T3']);
      refusals = 2;
      await tailer.idle();
      await waitFor('the third effect', async () => effects.includes('T3'));
      expect(refusals).toBe(0);
      await settle();
      expect(reads).toBeGreaterThan(before);
      for (const id of ['T1', 'T2', 'T3']) expect(calls.filter((c) => c === id), id).toHaveLength(1);
      expect(tailer.parked()).toEqual([]);
    } finally {
      await tailer.stop();
    }
  });
});
