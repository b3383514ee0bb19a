// The Auth0 Management adapter (official `auth0` client) against the Auth0 emulator, over HTTP.
import { describe, expect, it } from 'vitest';
import { createAuth0Emulator, type Auth0User } from '../../lib/local/emulators/auth0';
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
type State = { users: Auth0User[]; deletedUsers: string[]; managementTokens: unknown[] };
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
