// The test callback's limit per client address and hour (its own stack: the limit is read at start).
// The N+1th request from one address is 429 with Retry-After, and the provider sees no extra call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackBody, placedCalls, postFrom } from '../support/callback';
import { startTestStack, type TestStack } from '../support/stack';

const PER_IP = 2;
let stack: TestStack;
beforeAll(async () => {
  process.env.CALLBACK_PROVIDER = 'vapi';
  process.env.RATE_LIMIT_CALLBACK_PER_HOUR = String(PER_IP);
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
  delete process.env.CALLBACK_PROVIDER;
  delete process.env.RATE_LIMIT_CALLBACK_PER_HOUR;
});

describe('test callback: limit per client address', () => {
  it(`the ${PER_IP + 1}th request from one address within the hour is 429 with Retry-After, and no extra call`, async () => {
    const answers = [];
    for (let i = 0; i <= PER_IP; i++) answers.push(await postFrom(stack, '127.0.0.61', callbackBody({ phoneNumber: `+49170765432${i}` })));
    expect(answers.map((a) => a.status)).toEqual([...Array(PER_IP).fill(202), 429]);
    expect(Number(answers[PER_IP]!.headers['retry-after'])).toBeGreaterThan(0);
    expect((answers[PER_IP]!.body as { type: string }).type).toBe('urn:fonella:problem:rate-limited');
    const calls = (await placedCalls(stack, 'vapi')).filter((c) => c.to.startsWith('+49170765432'));
    expect(calls).toHaveLength(PER_IP);
    // Another address is counted on its own.
    expect((await postFrom(stack, '127.0.0.62', callbackBody({ phoneNumber: '+491707654329' }))).status).toBe(202);
  });
});
