// The test callback with CALLBACK_PROVIDER=fonial: each locale's call reaches the fonial emulator, and a
// fonial fault is a 502 with the request stored as failed (test/support/callback.ts).
import { afterAll, beforeAll, describe } from 'vitest';
import { providerSuite } from '../support/callback';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  process.env.CALLBACK_PROVIDER = 'fonial';
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
  delete process.env.CALLBACK_PROVIDER;
});

describe('test callback through fonial', () => {
  providerSuite(() => stack, 'fonial', 40);
});
