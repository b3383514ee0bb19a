// The Auth0 Management adapter (official `auth0` client) against the Auth0 emulator, over HTTP.
import { describe, expect, it } from 'vitest';
import { createAuth0Emulator, type Auth0User } from '../../lib/local/emulators/auth0';
import { ProviderRejectedError, ProviderUnavailableError } from '../../shared/errors';
import { auth0Directory, type Auth0Settings } from '../../shared/providers/auth0/adapter';
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
    def.addUser({ user_id: 'auth0|u2', email: 'u2@example.com' });
    const d = directory();
    expect(await d.getUser('auth0|u1')).toEqual({ id: 'auth0|u1', email: 'u1@example.com', emailVerified: true, name: 'User One' });
    expect(await d.getUser('auth0|u2')).toMatchObject({ id: 'auth0|u2', name: null });
    expect((await emu.inspect<State>()).managementTokens).toHaveLength(1);
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

  it('a wrong client secret → ProviderRejectedError', async () => {
    seed();
    await expect(directory({ clientSecret: 'nope' }).getUser('auth0|u1')).rejects.toBeInstanceOf(ProviderRejectedError);
  });

  it('5xx on every attempt → ProviderUnavailableError; the user is untouched', async () => {
    seed();
    await emu.fault({ mode: 'error', count: 10, match: '/api/v2/users' });
    await expect(directory().deleteUser('auth0|u1')).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect((await emu.inspect<State>()).users.map((u) => u.user_id)).toContain('auth0|u1');
  });

  it('no answer → ProviderUnavailableError', async () => {
    seed();
    await emu.fault({ mode: 'timeout', count: 10 });
    await expect(directory({ timeoutMs: 200 }).getUser('auth0|u1')).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});
