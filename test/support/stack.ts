// The local stack for one test file: its own table in the run's DynamoDB Local, its own emulators
// and API server on free ports. Tests call it over HTTP like any client.
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { tableRef, type TableRef } from '../../shared/db/client';
import { startStack, type LocalStack } from '../../lib/local/stack';
import type { StoredMessage } from '../../lib/local/emulators/mailgun';
import { assertMatchesContract } from './openapi-contract';

export interface TestStack extends LocalStack {
  table: TableRef;
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

export async function startTestStack(): Promise<TestStack> {
  const tableName = `test-${randomUUID().slice(0, 8)}`;
  const stack = await startStack({
    apiPort: 0,
    emulatorBasePort: 0,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName,
  });
  const table = tableRef({ tableName, endpoint: stack.dynamoEndpoint });
  return {
    ...stack,
    table,
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
