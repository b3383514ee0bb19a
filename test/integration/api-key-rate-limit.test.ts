// The per-key request rate through the local API, with a limit of 3 a minute set in this stack's
// environment: the key's 4th request in a minute is 429 with Retry-After until the minute ends and the
// IETF draft's RateLimit fields, and runs nothing; each key counts alone, the portal's token is not
// counted, and concurrent requests cannot pass the limit together (the count is the table's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';
import { newUser } from '../support/users';

const LIMIT = 3;
const MINUTE = 60;

let stack: TestStack;
beforeAll(async () => {
  // Before the stack: a handler reads its configuration at its first request, as at a cold start.
  process.env.API_KEY_RATE_LIMIT_PER_MINUTE = String(LIMIT);
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
  delete process.env.API_KEY_RATE_LIMIT_PER_MINUTE;
});

/** The current minute's end (epoch seconds); waits for the next minute when this one is about to end. */
async function minute(): Promise<number> {
  let now = Math.floor(Date.now() / 1000);
  if (MINUTE - (now % MINUTE) < 10) {
    await new Promise((r) => setTimeout(r, (MINUTE - (now % MINUTE) + 1) * 1000));
    now = Math.floor(Date.now() / 1000);
  }
  return now - (now % MINUTE) + MINUTE;
}

async function newKey(scopes = ['calls:read']) {
  const u = await newUser(stack, { prefix: 'key-rate' });
  const res = await stack.call('POST', '/v1/me/api-keys', { token: u.token, body: { name: 'Rate', scopes } });
  expect(res.status).toBe(201);
  return { user: u, token: res.body.token as string };
}

describe('the per-key rate limit', () => {
  it(`a key's ${LIMIT + 1}th request in a minute → 429 with Retry-After and the RateLimit fields, and changes nothing`, async () => {
    const { token, user } = await newKey();
    const end = await minute();
    for (let left = LIMIT - 1; left >= 0; left--) {
      const res = await stack.call('GET', '/v1/me/calls', { token });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-policy')).toBe(`"per-key";q=${LIMIT};w=60`);
      expect(res.headers.get('ratelimit')).toMatch(new RegExp(`^"per-key";r=${left};t=\\d+$`));
    }
    const before = await settle(stack);
    const refused = await stack.call('POST', '/v1/me/api-keys', { token, body: { name: 'One more', scopes: ['calls:read'] } });
    expect(refused.status).toBe(429);
    expect(refused.body.type).toBe('urn:fonella:problem:rate-limited');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(end - Math.floor(Date.now() / 1000) + 1);
    expect(refused.headers.get('ratelimit-policy')).toBe(`"per-key";q=${LIMIT};w=60`);
    expect(refused.headers.get('ratelimit')).toBe(`"per-key";r=0;t=${retryAfter}`);
    await expectUnchanged(stack, before, 'a key over its rate');
    // The portal's token is not counted; the key's owner still works with it.
    expect((await stack.call('GET', '/v1/me/calls', { token: user.token })).status).toBe(200);
  });

  it('each key counts alone: another key of the same account has its whole minute', async () => {
    const { user, token } = await newKey();
    await minute();
    for (let i = 0; i < LIMIT; i++) await stack.call('GET', '/v1/me/calls', { token });
    expect((await stack.call('GET', '/v1/me/calls', { token })).status).toBe(429);
    const second = await stack.call('POST', '/v1/me/api-keys', { token: user.token, body: { name: 'Second', scopes: ['calls:read'] } });
    expect(second.status).toBe(201);
    const res = await stack.call('GET', '/v1/me/calls', { token: second.body.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit')).toMatch(new RegExp(`^"per-key";r=${LIMIT - 1};t=\\d+$`));
  });

  it(`${LIMIT * 4} requests of one key at once: ${LIMIT} pass, the others are 429`, async () => {
    const { token } = await newKey();
    await minute();
    const answers = await Promise.all(Array.from({ length: LIMIT * 4 }, () => stack.call('GET', '/v1/me/calls', { token })));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(LIMIT);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(LIMIT * 3);
  });
});
