// A customer's webhook receiver for the tests: an HTTP server on 127.0.0.1 (the local stack delivers
// there: WEBHOOK_ALLOW_HTTP_LOOPBACK), keeping every request it got and answering the statuses it is
// told to, in turn (200 once they run out). And the helpers that let the webhook attempts' queue run:
// `settleWebhooks` waits until the stream workers and the queue worker have nothing left to do now;
// `advanceQueue` moves the SQS emulator's clock, in SQS's longest timer at a time, settling after each.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestStack } from './stack';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When it arrived (ms since the epoch, this machine's clock). */
  at: number;
}

export interface Receiver {
  url: string;
  requests: Received[];
  /** The statuses of the next answers, in turn. */
  answer(...statuses: number[]): void;
  close(): Promise<void>;
}

export async function startReceiver(path = '/hooks/fonella'): Promise<Receiver> {
  const requests: Received[] = [];
  const queue: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body, at: Date.now() });
      const status = queue.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ received: status < 300 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    requests,
    answer: (...statuses) => void queue.push(...statuses),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** Until the stream workers and the queue worker have nothing left that is due now. */
export async function settleWebhooks(stack: TestStack): Promise<void> {
  for (let quiet = 0, round = 0; quiet < 2; round++) {
    if (round > 50) throw new Error('the webhook workers did not come to rest');
    await stack.streams.idle();
    quiet = (await stack.queues.idle()) === 0 ? quiet + 1 : 0;
  }
}

/** Moves the queue's clock on by `seconds`, at most SQS's longest timer (15 minutes) at a time, settling after each step. */
export async function advanceQueue(stack: TestStack, seconds: number): Promise<void> {
  for (let left = seconds; left > 0; left -= 900) {
    const res = await fetch(`${stack.emulators.sqs}/_simulate/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: Math.min(900, left) }) });
    if (!res.ok) throw new Error(`the SQS emulator refused to advance: ${res.status}`);
    await settleWebhooks(stack);
  }
}
