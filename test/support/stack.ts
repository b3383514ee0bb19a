// The local stack of the integration tests: its own DynamoDB Local (light JVM options), emulators and
// API server on free ports. Tests call it over HTTP like any client.
// - `workerStack()`: the stack of this test worker, started by the first file that asks and shared by
//   the files the worker runs after it (the `integration` project does not isolate its files), its
//   handlers kept warm as on Lambda. A file makes its own users (unique ids) and reads its own
//   partition; it never assumes an empty table or an emulator that has seen nothing else.
// - `startTestStack()`: a stack of the file's own, for the `isolated` project's suites, which set the
//   stack's configuration before it starts, count whole-table listings, or break the stack on purpose.
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LIGHT_JVM } from '../../lib/local/dynamo';
import { SUITE_LIMITS } from '../../lib/local/limits';
import { startStack, type LocalStack } from '../../lib/local/stack';
import type { StoredMessage } from '../../lib/local/emulators/mailgun';
import { assertMatchesContract } from './openapi-contract';
import { settle } from './state';
import { tapTableClients } from './table-commands';

export interface TestStack extends LocalStack {
  /** Every item in this file's table. */
  scan(): Promise<Record<string, unknown>[]>;
  inspect<T = Record<string, unknown[]>>(emulator: string): Promise<T>;
  /** The emails the Mailgun emulator accepted, oldest first. */
  mails(): Promise<SentMail[]>;
  fault(emulator: string, fault: { mode: 'error' | 'timeout'; count?: number; match?: string }): Promise<void>;
  call(method: string, path: string, opts?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<{
    status: number;
    headers: Headers;
    body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  }>;
}

/** Polls `probe` until it returns a value (not undefined or false); fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An email as the Mailgun emulator keeps it. */
export type SentMail = StoredMessage;

const WORKER_STACK = Symbol.for('fonella.test.worker-stack');

/**
 * This worker's stack: started once, then handed to every file the worker runs, after the stream
 * workers have caught up with what earlier files wrote. It is never stopped by a file: it ends with
 * the worker process (its emulators and servers are in-process, its DynamoDB Local is killed on exit).
 */
export async function workerStack(): Promise<TestStack> {
  const worker = globalThis as Record<symbol, Promise<TestStack> | undefined>;
  // Before the first handler makes its table client, so that any later file can listen to it.
  tapTableClients();
  if (!worker[WORKER_STACK]) {
    worker[WORKER_STACK] = startTestStack();
    // vitest ends a worker with SIGTERM, which by default ends Node without its 'exit' event: exiting
    // here runs it, and lib/local/dynamo.ts kills the stack's DynamoDB Local there.
    process.once('SIGTERM', () => process.exit(0));
  }
  const stack = await worker[WORKER_STACK];
  // A clean slate where one is owed: no fault an earlier file injected and left unused is pending.
  await Promise.all(Object.values(stack.emulators).map((url) => fetch(`${url}/_faults`, { method: 'DELETE' })));
  const settled = await Promise.race([stack.streams.idle().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 30_000).unref())]);
  if (!settled) throw new Error(`the stream workers are still busy with what an earlier file wrote, 30 s on: ${JSON.stringify(stack.streams.busy())}`);
  // And what runs on its own (the Stripe emulator's webhook deliveries) has come to rest.
  await settle(stack);
  return stack;
}

/**
 * The name the webhook URLs' schema shows as its example (shared/schemas/webhooks.ts), answered without
 * DNS as a documentation address: the fuzzer's and the auth matrix's endpoints are refused (400) before
 * anything is dialled or asked of a name server.
 */
const EXAMPLE_HOSTS = { 'hooks.example.com': ['192.0.2.10'] };

export async function startTestStack(): Promise<TestStack> {
  process.env.LOCAL_HOST_ADDRESSES ??= JSON.stringify(EXAMPLE_HOSTS);
  const tableName = `test-${randomUUID().slice(0, 8)}`;
  // Its own DynamoDB Local: the engine's streams go wrong when two tables in one JVM are tailed at once
  // (GetRecords answers TrimmedDataAccessException), and the workers run stacks side by side.
  // The light JVM: the workers' JVMs side by side on 2 cores are most of what a run spends. Failed
  // stream records retried from 20 ms on (not 100): the same attempts, parked five times sooner.
  // The suites' high limits (a stage's would refuse their hundreds of forms from one address), beneath
  // whatever a suite set in its environment before the start.
  const stack = await startStack({ apiPort: 0, emulatorBasePort: 0, tableName, dynamoJvmOptions: LIGHT_JVM, streamRetryBaseMs: 20, env: SUITE_LIMITS });
  const { table } = stack;
  return {
    ...stack,
    async scan() {
      const out: Record<string, unknown>[] = [];
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await table.doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: cursor }));
        out.push(...((page.Items ?? []) as Record<string, unknown>[]));
        cursor = page.LastEvaluatedKey;
      } while (cursor);
      return out;
    },
    async inspect<T>(emulator: string) {
      const res = await fetch(`${stack.emulators[emulator]}/_inspect`);
      return (await res.json()) as T;
    },
    async mails() {
      const res = await fetch(`${stack.emulators.mailgun}/_inspect`);
      return ((await res.json()) as { messages: SentMail[] }).messages;
    },
    async fault(emulator, fault) {
      const res = await fetch(`${stack.emulators[emulator]}/_faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count: 1, ...fault }),
      });
      if (!res.ok) throw new Error(`fault not accepted: ${res.status}`);
    },
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined = opts.rawBody;
      if (opts.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = JSON.stringify(opts.body);
      }
      const res = await fetch(`${stack.apiUrl}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      // Every response any suite receives must be one openapi/fonella.yaml documents.
      assertMatchesContract({ method, path, status: res.status, contentType: res.headers.get('content-type'), text, body: parsed });
      // An error answer shows our own words only: no stack trace, no file path, no provider's raw text.
      if (res.status >= 500 && /\bat \S+ \(|\/[\w.-]+\/[\w.-]+\.[cm]?[jt]s\b|node_modules|"stack"/.test(text)) {
        throw new Error(`${method} ${path} → ${res.status} leaks internals: ${text.slice(0, 500)}`);
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
  };
}
