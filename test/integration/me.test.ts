// GET /v1/me through the local API with tokens from the Auth0 emulator.
import { beforeAll, describe, expect, it } from 'vitest';
import { workerStack, type TestStack } from '../support/stack';
import { newUser, rowsOf } from '../support/users';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

describe('GET /v1/me', () => {
  it("creates the settings row from the token's claims on the first call, then reads it", async () => {
    const { sub, token } = await newUser(stack, { prefix: 'me', email: 'new@example.com', name: 'New Person' });
    const first = await stack.call('GET', '/v1/me', { token });
    expect(first.status).toBe(200);
    expect(first.body.settings).toMatchObject({ userId: sub, email: 'new@example.com', name: 'New Person', role: 'owner' });
    expect(first.body).toMatchObject({ subscription: null, assistant: null, integrations: [], isAdmin: false });

    const rows = await rowsOf(stack, sub);
    expect(rows.map((r) => r.sk)).toEqual(['SETTINGS']);

    const again = await stack.call('GET', '/v1/me', { token: await stack.mintToken({ sub, email: 'changed@example.com' }) });
    expect(again.body.settings.email).toBe('new@example.com');
    expect(again.body.settings.createdAt).toBe(first.body.settings.createdAt);
  });

  it('answers each caller with their own row only', async () => {
    const res = await stack.call('GET', '/v1/me', { token: stack.tokens.customer });
    expect(res.body.settings.userId).toBe('auth0|demo-customer');
    const admin = await stack.call('GET', '/v1/me', { token: stack.tokens.admin });
    expect(admin.body.settings.userId).toBe('auth0|demo-admin');
    expect(admin.body.isAdmin).toBe(true);
  });

  it('two first calls at once leave one settings row', async () => {
    const { sub, token } = await newUser(stack, { prefix: 'race', email: 'race@example.com' });
    const [a, b] = await Promise.all([stack.call('GET', '/v1/me', { token }), stack.call('GET', '/v1/me', { token })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.settings.createdAt).toBe(b.body.settings.createdAt);
    expect(await rowsOf(stack, sub)).toHaveLength(1);
  });

  it('without a token → 401, with a token for another API → 401', async () => {
    expect((await stack.call('GET', '/v1/me')).status).toBe(401);
    const foreign = await stack.mintToken({ sub: 'auth0|x', audience: 'https://other.api' } as never);
    expect((await stack.call('GET', '/v1/me', { token: foreign })).status).toBe(401);
  });
});
