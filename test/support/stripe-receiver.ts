// A webhook endpoint for the Stripe emulator's contract tests: it records every delivery, and each
// test has a path of its own that the emulator forwards to (set before each test), so a late delivery
// from an earlier test cannot count in a later one. `answers` holds status codes to answer on a path,
// in turn (200 once they run out).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export interface ReceivedDelivery {
  path: string;
  contentType: string | undefined;
  /** The `Stripe-Signature` header ('' without one). */
  header: string;
  payload: string;
}

export interface StripeReceiver {
  readonly requests: ReceivedDelivery[];
  readonly answers: Map<string, number[]>;
  /** The receiver's base URL. */
  url(): string;
  /** This test's path. */
  path(): string;
  /** This test's deliveries. */
  mine(): ReceivedDelivery[];
}

export function useStripeReceiver(emulator: { forwardTo(url: string | undefined): void }): StripeReceiver {
  let server: Server;
  let base = '';
  let path = '';
  let tests = 0;
  const requests: ReceivedDelivery[] = [];
  const answers = new Map<string, number[]>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = req.url ?? '/';
        const header = req.headers['stripe-signature'];
        requests.push({ path: url, contentType: req.headers['content-type'], header: typeof header === 'string' ? header : '', payload: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(answers.get(url)?.shift() ?? 200, { 'content-type': 'application/json' });
        res.end('{"received":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    emulator.forwardTo(undefined);
    await new Promise((resolve) => server?.close(resolve));
  });
  beforeEach(() => {
    path = `/webhooks/${++tests}`;
    emulator.forwardTo(`${base}${path}`);
  });
  return { requests, answers, url: () => base, path: () => path, mine: () => requests.filter((r) => r.path === path) };
}
