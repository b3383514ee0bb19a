// A customer's tool endpoint on this machine (http://127.0.0.1:<port>, which the local stack's
// TOOL_ALLOW_HTTP_LOOPBACK takes): it records every request (path, headers, body) and answers by path:
//   /ok/...          200 with `answer` (JSON text by default)
//   /status/<code>   that status
//   /sleep/<ms>      200 after that many milliseconds (the request is dropped when the receiver closes)
//   /barrier/<n>     holds each request until n requests are in on barrier paths, then answers all
//   /big/<bytes>     200 with a body of that many bytes
// The bench uses it too, as the receiver that answers at once (`onRequest` times its arrival).
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedToolCall {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ToolReceiver {
  url: string;
  requests: ReceivedToolCall[];
  /** What /ok/... answers. */
  answer: string;
  /**
   * Called as a request's body is in and as its answer is sent, in epoch milliseconds with the
   * monotonic clock's precision (`performance.timeOrigin + performance.now()`): comparable with another
   * process's on this machine.
   */
  onTiming?: (arrived: number, answered: number) => void;
  close(): Promise<void>;
}

/** Now in epoch milliseconds, sub-millisecond. */
export const epochNow = () => performance.timeOrigin + performance.now();

export async function startToolReceiver(): Promise<ToolReceiver> {
  const held: { res: ServerResponse }[] = [];
  const sockets = new Set<Socket>();
  const receiver: ToolReceiver = {
    url: '',
    requests: [],
    answer: JSON.stringify({ freeSlots: ['09:00', '11:30'] }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrived = epochNow();
      const path = req.url ?? '/';
      receiver.requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const [, kind, arg] = path.split('/');
      const send = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body);
        receiver.onTiming?.(arrived, epochNow());
      };
      if (kind === 'status') return send(Number(arg), '{"error":"not today"}');
      if (kind === 'sleep') return void setTimeout(() => send(200, receiver.answer), Number(arg)).unref();
      if (kind === 'big') return send(200, 'x'.repeat(Number(arg)));
      if (kind === 'barrier') {
        held.push({ res });
        if (held.length < Number(arg)) return;
        for (const h of held.splice(0)) {
          h.res.writeHead(200, { 'content-type': 'application/json' });
          h.res.end(JSON.stringify({ together: true }));
        }
        return;
      }
      send(200, receiver.answer);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
