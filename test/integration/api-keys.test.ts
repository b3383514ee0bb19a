// Developer API keys through the local API: created with the portal's token or a key (the token
// answered once, the table holding only its hash), listed by prefix, used where their scopes reach
// (and nowhere else), refused at once when deleted or expired, ten to an account, never broader than
// the key that makes them, `lastUsedAt` moved at most once a minute, counted on the admin's customer
// list, and never written to a log line. The per-key rate limit: api-key-rate-limit.test.ts (a low
// limit on a stack of its own); the auth matrix (test/support/auth-matrix.ts) sends keys to every route.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashApiKeyToken } from '../../shared/crypto/api-key-tokens';
import { callsRepository, type CallRow } from '../../shared/db/calls';
import { expectUnchanged, settle } from '../support/state';
import { workerStack, type TestStack } from '../support/stack';
import { newUser, partition, rowsOf, type TestUser } from '../support/users';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

/** Every token these tests were answered: none may be in a log line. */
const issued: string[] = [];

type Scope = 'calls:read' | 'webhooks:manage' | 'tools:manage';

async function createKey(bearer: string, body: { name?: string; scopes?: Scope[]; expiresAt?: string } = {}) {
  const res = await stack.call('POST', '/v1/me/api-keys', { token: bearer, body: { name: 'Integration', ...body } });
  if (res.status === 201) issued.push(res.body.token);
  return res;
}

/** A key of `u` with these scopes (every scope when none are named). */
async function keyOf(u: TestUser, scopes?: Scope[]): Promise<{ token: string; keyId: string }> {
  const res = await createKey(u.token, { scopes });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { token: res.body.token, keyId: res.body.keyId };
}

async function seedCall(sub: string, summary: string): Promise<string> {
  const startedAt = new Date().toISOString();
  const row: CallRow = {
    callId: `call-${randomUUID()}`,
    assistantId: 'a',
    callerNumber: null,
    startedAt,
    endedAt: startedAt,
    durationSeconds: 30,
    endedReason: 'customer-ended-call',
    summary,
    transcript: null,
    recordingUrl: null,
    cost: null,
    receivedAt: startedAt,
  };
  await callsRepository(stack.table).create(sub, row);
  return row.callId;
}

const lookupItem = async (token: string) => (await partition(stack, `APIKEY#${hashApiKeyToken(token)}`))[0];

describe('POST /v1/me/api-keys', () => {
  it('answers the token once; the table keeps its hash and prefix, never the token', async () => {
    const u = await newUser(stack, { prefix: 'keys-create' });
    const res = await createKey(u.token, { name: 'Zapier' });
    expect(res.status).toBe(201);
    const { token, keyId, prefix } = res.body;
    expect(token).toMatch(/^fon_live_[0-9A-Za-z]{43}$/);
    expect(prefix).toBe(token.slice(0, 16));
    expect(res.body).toMatchObject({ name: 'Zapier', scopes: ['webhooks:manage', 'calls:read', 'tools:manage'], expiresAt: null, lastUsedAt: null });
    // Two items and the count: the owner's row and the lookup item under the token's SHA-256, neither holding the token.
    const own = await rowsOf(stack, u.sub, 'APIKEY#');
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ keyId, prefix, tokenHash: hashApiKeyToken(token) });
    const lookup = await lookupItem(token);
    expect(lookup).toMatchObject({ userId: u.sub, keyId, scopes: ['webhooks:manage', 'calls:read', 'tools:manage'] });
    expect((await rowsOf(stack, u.sub, 'QUOTA#apiKeys'))[0]).toMatchObject({ used: 1 });
    for (const item of [...(await rowsOf(stack, u.sub)), lookup]) expect(JSON.stringify(item)).not.toContain(token.slice(16));
  });

  it('keeps the scopes asked for, in their canonical order', async () => {
    const u = await newUser(stack, { prefix: 'keys-scopes' });
    const res = await createKey(u.token, { scopes: ['tools:manage', 'calls:read'] });
    expect(res.status).toBe(201);
    expect(res.body.scopes).toEqual(['calls:read', 'tools:manage']);
  });

  it.each([
    ['in the past', () => new Date(Date.now() - 60_000).toISOString()],
    ['now', () => new Date().toISOString()],
    ['more than 365 days ahead', () => new Date(Date.now() + 366 * 86_400_000).toISOString()],
  ])('expiresAt %s → 400 api-key-expiry-invalid naming the field, nothing written', async (_what, at) => {
    const u = await newUser(stack, { prefix: 'keys-expiry' });
    const before = await settle(stack);
    const res = await createKey(u.token, { expiresAt: at() });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:fonella:problem:api-key-expiry-invalid');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.expiresAt']);
    await expectUnchanged(stack, before, 'a bad expiresAt');
  });

  it('takes an expiresAt within the year, with an offset, and answers it in UTC', async () => {
    const u = await newUser(stack, { prefix: 'keys-expiry-ok' });
    const at = new Date(Date.now() + 364 * 86_400_000);
    at.setUTCMilliseconds(0);
    const res = await createKey(u.token, { expiresAt: at.toISOString().replace('Z', '+00:00') });
    expect(res.status).toBe(201);
    expect(res.body.expiresAt).toBe(at.toISOString());
  });

  it('the 11th key of an account → 409 quota-api-keys, nothing written; one deleted, there is room again', async () => {
    const u = await newUser(stack, { prefix: 'keys-quota' });
    const keys: string[] = [];
    for (let i = 0; i < 10; i++) keys.push((await keyOf(u, ['calls:read'])).keyId);
    const before = await settle(stack);
    const res = await createKey(u.token);
    expect(res.status).toBe(409);
    expect(res.body.type).toBe('urn:fonella:problem:quota-api-keys');
    expect(res.body.detail).toContain('10');
    await expectUnchanged(stack, before, 'the 11th key');
    expect((await stack.call('DELETE', `/v1/me/api-keys/${keys[0]}`, { token: u.token })).status).toBe(204);
    expect((await createKey(u.token)).status).toBe(201);
    expect((await rowsOf(stack, u.sub, 'APIKEY#')).length).toBe(10);
  });

  it('with a key: only scopes the key has itself (a broader key → 403 insufficient-scope naming the scope, nothing written)', async () => {
    const u = await newUser(stack, { prefix: 'keys-escalate' });
    const narrow = await keyOf(u, ['calls:read']);
    const before = await settle(stack);
    for (const scopes of [['calls:read', 'webhooks:manage'], ['tools:manage'], undefined] as (Scope[] | undefined)[]) {
      const res = await createKey(narrow.token, { scopes });
      expect(res.status, JSON.stringify(scopes)).toBe(403);
      expect(res.body.type).toBe('urn:fonella:problem:insufficient-scope');
      expect(res.body.detail).toMatch(scopes?.includes('calls:read') ? /lacks `webhooks:manage`\.$/ : /tools:manage/);
      expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    }
    await expectUnchanged(stack, before, 'a broader key');
    // As narrow as itself: made, and it works.
    const same = await createKey(narrow.token, { scopes: ['calls:read'] });
    expect(same.status).toBe(201);
    expect((await stack.call('GET', '/v1/me/calls', { token: same.body.token })).status).toBe(200);
  });
});

describe('GET /v1/me/api-keys', () => {
  it('lists the keys newest first by prefix, never a token', async () => {
    const u = await newUser(stack, { prefix: 'keys-list' });
    const first = await keyOf(u, ['calls:read']);
    const second = await keyOf(u);
    const res = await stack.call('GET', '/v1/me/api-keys', { token: u.token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((k: { keyId: string }) => k.keyId)).toEqual([second.keyId, first.keyId]);
    expect(res.body.items[1]).toEqual({
      keyId: first.keyId,
      name: 'Integration',
      prefix: first.token.slice(0, 16),
      scopes: ['calls:read'],
      createdAt: expect.any(String),
      expiresAt: null,
      lastUsedAt: null,
    });
    const text = JSON.stringify(res.body);
    for (const k of [first, second]) expect(text).not.toContain(k.token.slice(16));
    // A key lists them too (any scope), and only its own account's.
    const other = await newUser(stack, { prefix: 'keys-list-other' });
    await keyOf(other);
    const byKey = await stack.call('GET', '/v1/me/api-keys', { token: first.token });
    expect(byKey.status).toBe(200);
    expect(byKey.body.items.map((k: { keyId: string }) => k.keyId).sort()).toEqual([first.keyId, second.keyId].sort());
  });
});

describe('a key on the API', () => {
  it("GET /v1/me/calls and /v1/me/calls/{callId} with calls:read → 200, its owner's calls only, with the RateLimit fields", async () => {
    const u = await newUser(stack, { prefix: 'keys-use' });
    const other = await newUser(stack, { prefix: 'keys-use-other' });
    const mine = await seedCall(u.sub, 'mine');
    const theirs = await seedCall(other.sub, 'theirs');
    const { token } = await keyOf(u, ['calls:read']);
    const list = await stack.call('GET', '/v1/me/calls', { token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { callId: string }) => c.callId)).toEqual([mine]);
    expect(list.headers.get('ratelimit-policy')).toMatch(/^"per-key";q=\d+;w=60$/);
    expect(list.headers.get('ratelimit')).toMatch(/^"per-key";r=\d+;t=\d+$/);
    expect((await stack.call('GET', `/v1/me/calls/${mine}`, { token })).status).toBe(200);
    expect((await stack.call('GET', `/v1/me/calls/${theirs}`, { token })).status).toBe(404);
  });

  it('the demo customer\'s seeded key lists its calls', async () => {
    expect(stack.apiKeys.customer).toMatch(/^fon_live_/);
    const res = await stack.call('GET', '/v1/me/calls', { token: stack.apiKeys.customer });
    expect(res.status).toBe(200);
    const keys = await stack.call('GET', '/v1/me/api-keys', { token: stack.tokens.customer });
    expect(keys.body.items.some((k: { prefix: string }) => k.prefix === stack.apiKeys.customer.slice(0, 16))).toBe(true);
  });

  it('outside its scopes → 403 insufficient-scope naming the scope, with the bearer challenge', async () => {
    const u = await newUser(stack, { prefix: 'keys-scope' });
    const { token } = await keyOf(u, ['webhooks:manage', 'tools:manage']);
    const before = await settle(stack);
    const res = await stack.call('GET', '/v1/me/calls', { token });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.type).toBe('urn:fonella:problem:insufficient-scope');
    expect(res.body.detail).toContain('`calls:read`');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="fonella", error="insufficient_scope", scope="calls:read"');
    expect(res.headers.get('ratelimit')).toMatch(/^"per-key";r=\d+;t=\d+$/);
    await expectUnchanged(stack, before, 'a key outside its scopes');
  });

  it.each([
    ['the customer list', 'GET', '/v1/admin/customers'],
    ['the stats', 'GET', '/v1/admin/stats'],
    ['an admin write', 'POST', '/v1/admin/partners'],
  ])('an admin key on an admin route (%s) → 403 api-key-not-accepted from the function, the key not even looked up, nothing changed', async (_what, method, path) => {
    // An admin's key with every scope: what the key may do never comes from its owner's permissions.
    const admin = await newUser(stack, { prefix: 'keys-admin', permissions: ['admin'] });
    const { token } = await keyOf(admin);
    const lastUsed = (await lookupItem(token))?.lastUsedAt;
    const before = await settle(stack);
    const res = await stack.call(method, path, { token, body: method === 'GET' ? undefined : { email: 'p@example.com', name: 'x' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.type).toBe('urn:fonella:problem:api-key-not-accepted');
    expect(res.headers.get('ratelimit')).toBeNull();
    expect((await lookupItem(token))?.lastUsedAt).toBe(lastUsed);
    await expectUnchanged(stack, before, `a key on ${path}`);
    // The admin's own portal token still passes.
    expect((await stack.call('GET', '/v1/admin/stats', { token: admin.token })).status).toBe(200);
  });

  it.each([
    ['a partner route', 'GET', '/v1/partner'],
    ['another portal route', 'GET', '/v1/me'],
    ['another portal write', 'PATCH', '/v1/me/settings'],
    ['a hotline route', 'POST', '/v1/organizations'],
  ])('on %s → 401 from the gateway (its JWT authorizer takes no key), nothing changed', async (_what, method, path) => {
    // An admin's key with every scope: what the key may do never comes from its owner's permissions.
    const admin = await newUser(stack, { prefix: 'keys-admin', permissions: ['admin'] });
    const { token } = await keyOf(admin);
    const before = await settle(stack);
    const res = await stack.call(method, path, { token, body: method === 'GET' ? undefined : { name: 'x' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: 'Unauthorized' });
    await expectUnchanged(stack, before, `a key on ${path}`);
  });

  it('deleted → 401 api-key-invalid from the very next request; its items gone, the count given back', async () => {
    const u = await newUser(stack, { prefix: 'keys-delete' });
    const { token, keyId } = await keyOf(u, ['calls:read']);
    expect((await stack.call('GET', '/v1/me/calls', { token })).status).toBe(200);
    const del = await stack.call('DELETE', `/v1/me/api-keys/${keyId}`, { token: u.token });
    expect(del.status).toBe(204);
    const res = await stack.call('GET', '/v1/me/calls', { token });
    expect(res.status).toBe(401);
    expect(res.body.type).toBe('urn:fonella:problem:api-key-invalid');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="fonella", error="invalid_token"');
    expect(await lookupItem(token)).toBeUndefined();
    expect(await rowsOf(stack, u.sub, 'APIKEY#')).toEqual([]);
    expect((await rowsOf(stack, u.sub, 'QUOTA#apiKeys'))[0]).toMatchObject({ used: 0 });
    expect((await stack.call('DELETE', `/v1/me/api-keys/${keyId}`, { token: u.token })).body.type).toBe('urn:fonella:problem:api-key-not-found');
  });

  it('a key deletes itself, or a key no broader than itself; a broader one → 403, kept', async () => {
    const u = await newUser(stack, { prefix: 'keys-delete-scope' });
    const narrow = await keyOf(u, ['calls:read']);
    const broad = await keyOf(u);
    const refused = await stack.call('DELETE', `/v1/me/api-keys/${broad.keyId}`, { token: narrow.token });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('urn:fonella:problem:insufficient-scope');
    expect((await stack.call('GET', '/v1/me/calls', { token: broad.token })).status).toBe(200);
    expect((await stack.call('DELETE', `/v1/me/api-keys/${narrow.keyId}`, { token: narrow.token })).status).toBe(204);
    expect((await stack.call('GET', '/v1/me/api-keys', { token: narrow.token })).body.type).toBe('urn:fonella:problem:api-key-invalid');
    // Another account's key id is not found, and stays.
    const other = await newUser(stack, { prefix: 'keys-delete-other' });
    const theirs = await keyOf(other);
    expect((await stack.call('DELETE', `/v1/me/api-keys/${theirs.keyId}`, { token: broad.token })).status).toBe(404);
    expect((await stack.call('GET', '/v1/me/calls', { token: theirs.token })).status).toBe(200);
  });

  it('expired → 401 api-key-expired (the expiry passed in the table)', async () => {
    const u = await newUser(stack, { prefix: 'keys-expired' });
    const res = await createKey(u.token, { scopes: ['calls:read'], expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    const { token } = res.body;
    expect((await stack.call('GET', '/v1/me/calls', { token })).status).toBe(200);
    const past = new Date(Date.now() - 1000).toISOString();
    await stack.table.doc.send(
      new UpdateCommand({ TableName: stack.table.tableName, Key: { pk: `APIKEY#${hashApiKeyToken(token)}`, sk: 'APIKEY' }, UpdateExpression: 'SET expiresAt = :at', ExpressionAttributeValues: { ':at': past } }),
    );
    const refused = await stack.call('GET', '/v1/me/calls', { token });
    expect(refused.status).toBe(401);
    expect(refused.body.type).toBe('urn:fonella:problem:api-key-expired');
    expect(refused.body.detail).toContain(past);
  });

  it('a token of our shape that no key has, or another shape → 401, nothing changed', async () => {
    const before = await settle(stack);
    for (const token of [`fon_live_${'A'.repeat(43)}`, 'fon_live_short', `fon_live_${'A'.repeat(42)}-`]) {
      const res = await stack.call('GET', '/v1/me/calls', { token });
      expect(res.status, token).toBe(401);
      expect(res.body.type).toBe('urn:fonella:problem:api-key-invalid');
    }
    for (const token of ['not-a-jwt', 'eyJhbGciOiJub25lIn0.e30.']) {
      const res = await stack.call('GET', '/v1/me/calls', { token });
      expect(res.status, token).toBe(401);
      expect(res.body.type).toBe('urn:fonella:problem:unauthorized');
    }
    const none = await stack.call('GET', '/v1/me/calls');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="fonella"');
    await expectUnchanged(stack, before, 'tokens no key has');
  });

  it('lastUsedAt moves with a request once it is a minute old, not before', async () => {
    const u = await newUser(stack, { prefix: 'keys-last-used' });
    const { token } = await keyOf(u, ['calls:read']);
    const lastUsed = async () => (await lookupItem(token))!.lastUsedAt as string | undefined;
    expect(await lastUsed()).toBeUndefined();
    expect((await stack.call('GET', '/v1/me/calls', { token })).status).toBe(200);
    const first = await lastUsed();
    expect(first).toBeDefined();
    const setLastUsed = (at: string) =>
      stack.table.doc.send(
        new UpdateCommand({ TableName: stack.table.tableName, Key: { pk: `APIKEY#${hashApiKeyToken(token)}`, sk: 'APIKEY' }, UpdateExpression: 'SET lastUsedAt = :at', ExpressionAttributeValues: { ':at': at } }),
      );
    // 30 seconds ago: within the minute, the request writes nothing.
    const recent = new Date(Date.now() - 30_000).toISOString();
    await setLastUsed(recent);
    expect((await stack.call('GET', '/v1/me/calls', { token })).status).toBe(200);
    expect(await lastUsed()).toBe(recent);
    // Two minutes ago: the request moves it to now.
    const old = new Date(Date.now() - 120_000).toISOString();
    await setLastUsed(old);
    expect((await stack.call('GET', '/v1/me/calls', { token })).status).toBe(200);
    expect(Date.parse((await lastUsed())!)).toBeGreaterThan(Date.parse(old) + 60_000);
    const listed = await stack.call('GET', '/v1/me/api-keys', { token: u.token });
    expect(listed.body.items[0].lastUsedAt).toBe(await lastUsed());
  });
});

describe("the admin's customer list", () => {
  it('shows how many keys each account holds, never the keys', async () => {
    const u = await newUser(stack, { prefix: 'keys-admin-view', settings: { name: `Keyholder ${randomUUID().slice(0, 8)}` } });
    await keyOf(u);
    await keyOf(u, ['calls:read']);
    await settle(stack);
    const admin = await newUser(stack, { prefix: 'keys-admin-viewer', permissions: ['admin'] });
    const res = await stack.call('GET', `/v1/admin/customers?q=${encodeURIComponent(u.email!)}`, { token: admin.token });
    expect(res.status).toBe(200);
    const item = res.body.items.find((c: { userId: string }) => c.userId === u.sub);
    expect(item).toMatchObject({ apiKeys: 2 });
    expect(JSON.stringify(res.body)).not.toContain('fon_live_');
  });
});

describe('the logs', () => {
  it("hold no token these tests were given (and do name the keys' ids)", async () => {
    expect(issued.length).toBeGreaterThan(10);
    const log = readFileSync(join(new URL('../../', import.meta.url).pathname, '.local', 'test-logs', `${process.pid}.log`), 'utf8');
    expect(log).toContain('"keyId"');
    for (const token of issued) expect(log.includes(token.slice(16)), token.slice(0, 16)).toBe(false);
    expect(log.includes(stack.apiKeys.customer.slice(16))).toBe(false);
  });
});
