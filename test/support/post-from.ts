// POSTs JSON to the local API from a chosen loopback address (127.0.0.x), as distinct clients would
// come from distinct addresses (rate limits count per address); the answer is checked against the
// OpenAPI document like every other response the suites receive.
import { request } from 'node:http';
import { assertMatchesContract } from './openapi-contract';
import type { TestStack } from './stack';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
}

export function postFrom(stack: Pick<TestStack, 'apiUrl'>, from: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(path, stack.apiUrl);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', localAddress: from, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const parsed: unknown = text ? JSON.parse(text) : undefined;
          assertMatchesContract({ method: 'POST', path, status: res.statusCode!, contentType: res.headers['content-type'] ?? null, text, body: parsed });
          resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}
