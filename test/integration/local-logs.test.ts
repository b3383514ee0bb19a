// The local runtime runs every handler in one process, requests side by side; each invocation must
// keep its own log context, as one Lambda instance per request does. Concurrent requests to two
// routes: every access line names its own request, once, and the function that served it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { workerStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const logFile = join(new URL('../../', import.meta.url).pathname, '.local', 'test-logs', `${process.pid}.log`);

describe('local log context', () => {
  it('concurrent requests do not share log keys', async () => {
    const since = new Date().toISOString();
    const contact = { name: 'Log Tester', email: 'log@example.com', message: 'concurrent' };
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0 ? stack.call('GET', '/v1/health') : stack.call('POST', '/v1/public/contact', { body: contact }),
      ),
    );
    expect(answers.every((a) => a.status < 300)).toBe(true);

    const lines = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.message === 'request' && String(l.timestamp) >= since);
    expect(lines).toHaveLength(40);
    expect(new Set(lines.map((l) => l.requestId)).size).toBe(40);
    for (const l of lines) expect(l.function_name).toBe(`fonella-local-${String(l.route)}`);
    expect(lines.filter((l) => l.route === 'submitContact')).toHaveLength(20);
    // The process's first invocation is its cold start (one logger serves every local function): one of
    // these, or none when a stream worker (the customer index, from the stack's demo users) came first.
    expect(lines.filter((l) => l.cold_start === true).length).toBeLessThanOrEqual(1);
  });
});
