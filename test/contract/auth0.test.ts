// The Auth0 Management adapter (official `auth0` client) against the Auth0 emulator, over HTTP.
import { describe, expect, it } from 'vitest';
import { MANAGEMENT_SCOPES, createAuth0Emulator, type Auth0User } from '../../lib/local/emulators/auth0';
import { ProviderRejectedError, ProviderUnavailableError } from '../../shared/errors';
import { auth0Directory, type Auth0Settings } from '../../shared/providers/auth0/adapter';
import { auth0Config } from '../../shared/providers/auth0/config';
import { useEmulator } from '../support/emulator';

const def = createAuth0Emulator();
const emu = useEmulator(def);
const directory = (over: Partial<Auth0Settings> = {}) =>
  auth0Directory({
    domain: 'fonella-local.eu.auth0.com',
    clientId: 'local-m2m-client',
    clientSecret: 'local-m2m-secret',
    managementBaseUrl: emu.baseUrl,
    ...over,
  });
type State = { users: Auth0User[]; deletedUsers: string[]; managementTokens: { clientId: string; scope: string }[] };
const seed = () => def.addUser({ user_id: 'auth0|u1', email: 'u1@example.com', name: 'User One' });

describe('auth0 adapter', () => {
  it('reads a user, fetching one machine token for several calls', async () => {
    seed();
    def.addUser({ user_id: 'auth0|u2', email: 'u2@example.com', email_verified: false });
    const d = directory();
    expect(await d.getUser('auth0|u1')).toEqual({ id: 'auth0|u1', email: 'u1@example.com', emailVerified: true, name: 'User One' });
    expect(await d.getUser('auth0|u2')).toEqual({ id: 'auth0|u2', email: 'u2@example.com', emailVerified: false, name: null });
    expect((await emu.inspect<State>()).managementTokens).toHaveLength(1);
    // A second adapter is a second client with its own token: the count above does see every fetch.
    await directory().getUser('auth0|u1');
    expect((await emu.inspect<State>()).managementTokens).toHaveLength(2);
  });

  it('an unknown user reads as undefined', async () => {
    expect(await directory().getUser('auth0|nobody')).toBeUndefined();
  });

  it('deletes a user; deleting again is not an error', async () => {
    seed();
    const d = directory();
    await d.deleteUser('auth0|u1');
    await d.deleteUser('auth0|u1');
    const state = await emu.inspect<State>();
    expect(state.users.map((u) => u.user_id)).not.toContain('auth0|u1');
    expect(state.deletedUsers).toEqual(['auth0|u1']);
  });

  it('a wrong client secret → ProviderRejectedError whose message names no credential; nothing deleted', async () => {
    seed();
    const err = await directory({ clientSecret: 'nope-secret' }).getUser('auth0|u1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(JSON.stringify({ m: (err as Error).message, c: (err as Error).cause })).not.toContain('nope-secret');
    await expect(directory({ clientSecret: 'nope-secret' }).deleteUser('auth0|u1')).rejects.toBeInstanceOf(ProviderRejectedError);
    const state = await emu.inspect<State>();
    expect(state.managementTokens).toEqual([]);
    expect(state.users.map((u) => u.user_id)).toEqual(['auth0|u1']);
  });

  it('the local machine client is granted what the adapter calls need: read:users and delete:users', async () => {
    seed();
    const d = directory();
    expect(await d.getUser('auth0|u1')).toMatchObject({ id: 'auth0|u1' });
    await d.deleteUser('auth0|u1');
    expect(MANAGEMENT_SCOPES).toEqual(['read:users', 'delete:users']);
    expect((await emu.inspect<State>()).managementTokens).toEqual([
      expect.objectContaining({ clientId: 'local-m2m-client', scope: 'read:users delete:users' }),
    ]);
  });

  it('a client whose grant lacks delete:users → deleteUser is a ProviderRejectedError (403), the user stays; reading still works', async () => {
    seed();
    def.addClient({ clientId: 'reader-client', clientSecret: 'reader-secret', scopes: ['read:users'] });
    const d = directory({ clientId: 'reader-client', clientSecret: 'reader-secret' });
    expect(await d.getUser('auth0|u1')).toMatchObject({ id: 'auth0|u1' });
    const err = await d.deleteUser('auth0|u1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(err).toMatchObject({ providerStatus: 403, operation: 'delete user' });
    const state = await emu.inspect<State>();
    expect(state.users.map((u) => u.user_id)).toEqual(['auth0|u1']);
    expect(state.deletedUsers).toEqual([]);
  });

  it('a client whose grant lacks read:users → getUser is a ProviderRejectedError (403), not "no such user"', async () => {
    seed();
    def.addClient({ clientId: 'deleter-client', clientSecret: 'deleter-secret', scopes: ['delete:users'] });
    const err = await directory({ clientId: 'deleter-client', clientSecret: 'deleter-secret' })
      .getUser('auth0|u1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(err).toMatchObject({ providerStatus: 403 });
  });

  it('a client with no grant for the Management API gets no token → ProviderRejectedError', async () => {
    seed();
    def.addClient({ clientId: 'stranger-client', clientSecret: 'stranger-secret' });
    const err = await directory({ clientId: 'stranger-client', clientSecret: 'stranger-secret' })
      .getUser('auth0|u1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(err).toMatchObject({ providerStatus: 403 });
    expect((await emu.inspect<State>()).managementTokens).toEqual([]);
  });

  it('5xx on every attempt → ProviderUnavailableError after three attempts; the user is untouched', async () => {
    seed();
    await emu.fault({ mode: 'error', count: 10, match: '/api/v2/users' });
    await expect(directory().deleteUser('auth0|u1')).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect((await emu.inspect<State>()).users.map((u) => u.user_id)).toContain('auth0|u1');
    expect(await emu.pending()).toEqual([expect.objectContaining({ count: 7 })]);
  });

  it('a read retries past one 5xx', async () => {
    seed();
    await emu.fault({ mode: 'error', count: 1, match: '/api/v2/users' });
    expect(await directory().getUser('auth0|u1')).toMatchObject({ id: 'auth0|u1' });
    expect(await emu.pending()).toEqual([]);
  });

  it('no answer → ProviderUnavailableError within the timeout', async () => {
    seed();
    await emu.fault({ mode: 'timeout', count: 10 });
    const started = Date.now();
    await expect(directory({ timeoutMs: 300 }).getUser('auth0|u1')).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

// Source: auth0.com/docs/manage-users/user-search/retrieve-users-with-get-users-by-id-endpoint
// (GET /api/v2/users/{id} needs read:users) and Auth0's 403 body as the Management API sends it
// (statusCode, error, message "Insufficient scope, expected any of: …", errorCode insufficient_scope).
describe('auth0 emulator: client grants and scopes on the wire', () => {
  const tokenFor = async (body: Record<string, string>) =>
    fetch(`${emu.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', audience: 'https://fonella-local.eu.auth0.com/api/v2/', ...body }),
    });

  it('a token without the call\'s scope → 403 insufficient_scope in Auth0\'s body shape', async () => {
    seed();
    def.addClient({ clientId: 'reader-client', clientSecret: 'reader-secret', scopes: ['read:users'] });
    const res = await tokenFor({ client_id: 'reader-client', client_secret: 'reader-secret' });
    const { access_token, scope } = (await res.json()) as { access_token: string; scope: string };
    expect(scope).toBe('read:users');
    const del = await fetch(`${emu.baseUrl}/api/v2/users/${encodeURIComponent('auth0|u1')}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(del.status).toBe(403);
    expect(await del.json()).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'Insufficient scope, expected any of: delete:users,delete:current_user',
      errorCode: 'insufficient_scope',
    });
  });

  it('asking for a scope the grant lacks, or having no grant, → 403 access_denied', async () => {
    def.addClient({ clientId: 'reader-client', clientSecret: 'reader-secret', scopes: ['read:users'] });
    const more = await tokenFor({ client_id: 'reader-client', client_secret: 'reader-secret', scope: 'read:users delete:users' });
    expect(more.status).toBe(403);
    expect(await more.json()).toMatchObject({ error: 'access_denied', error_description: expect.stringContaining('delete:users') });
    def.addClient({ clientId: 'stranger-client', clientSecret: 'stranger-secret' });
    const none = await tokenFor({ client_id: 'stranger-client', client_secret: 'stranger-secret' });
    expect(none.status).toBe(403);
    expect(await none.json()).toMatchObject({ error: 'access_denied', error_description: expect.stringContaining('client-grant') });
  });

  it('/_reset leaves only the local client', async () => {
    def.addClient({ clientId: 'reader-client', clientSecret: 'reader-secret', scopes: ['read:users'] });
    await fetch(`${emu.baseUrl}/_reset`, { method: 'POST' });
    expect((await tokenFor({ client_id: 'reader-client', client_secret: 'reader-secret' })).status).toBe(401);
    expect((await tokenFor({ client_id: 'local-m2m-client', client_secret: 'local-m2m-secret' })).status).toBe(200);
  });
});

describe('auth0 config', () => {
  it('the emulator hands the adapter everything its config needs, and the domain loses any scheme', () => {
    const env = createAuth0Emulator().env('http://127.0.0.1:9');
    expect(auth0Config.parse({ STAGE: 'prod', ...env })).toMatchObject({
      domain: 'fonella-local.eu.auth0.com',
      managementBaseUrl: 'http://127.0.0.1:9',
      clientId: 'local-m2m-client',
    });
    const prod = { STAGE: 'prod', AUTH0_DOMAIN: 'https://fonella.eu.auth0.com/', AUTH0_CLIENT_ID: 'c', AUTH0_CLIENT_SECRET: 's' };
    expect(auth0Config.parse(prod)).toMatchObject({ domain: 'fonella.eu.auth0.com', managementBaseUrl: undefined });
    expect(() => auth0Config.parse({ ...prod, AUTH0_CLIENT_SECRET: undefined })).toThrow(/AUTH0_CLIENT_SECRET/);
  });
});
