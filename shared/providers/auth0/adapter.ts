// Auth0 Management API through the official `auth0` client. One client per adapter, so the SDK
// caches its machine-to-machine token until shortly before it expires. The client always builds
// https://<domain> URLs; to reach the emulator, a fetch that rewrites that origin is passed in
// (it carries the token request too). The client's grant on the Management API needs read:users
// (getUser) and delete:users (deleteUser); without one, Auth0 answers 403, a ProviderRejectedError.
import { ManagementClient } from 'auth0';
import { ProviderNotFoundError } from '../../errors';
import { DEFAULT_TIMEOUT_MS, callProvider } from '../http';
import type { UserDirectory } from './port';

export interface Auth0Settings {
  /** The tenant, e.g. fonella.eu.auth0.com. */
  domain: string;
  clientId: string;
  clientSecret: string;
  /** Sends the client's requests here instead of https://<domain> (the local emulator). */
  managementBaseUrl?: string;
  timeoutMs?: number;
}

export function auth0Directory(s: Auth0Settings): UserDirectory {
  const timeoutMs = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const origin = `https://${s.domain}`;
  const target = s.managementBaseUrl?.replace(/\/+$/, '');
  const rewrite: typeof fetch | undefined = target
    ? (input, init) => {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (!url.startsWith(origin)) return fetch(input, init);
        const to = target + url.slice(origin.length);
        // A Request carries its own method, headers and body: keep them on the new URL.
        return fetch(typeof input === 'object' && !(input instanceof URL) ? new Request(to, input) : to, init);
      }
    : undefined;
  const client = new ManagementClient({
    domain: s.domain,
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    // Retries stay with callProvider; the SDK's own timeout is a backstop behind ours.
    maxRetries: 0,
    timeoutInSeconds: Math.ceil(timeoutMs / 1000) + 1,
    ...(rewrite ? { fetch: rewrite } : {}),
  });

  return {
    async getUser(userId) {
      try {
        const u = await callProvider(
          'auth0',
          'get user',
          (abortSignal) => client.users.get(userId, undefined, { abortSignal }),
          { timeoutMs, idempotent: true },
        );
        return {
          id: u.user_id ?? userId,
          email: u.email ?? null,
          emailVerified: u.email_verified === true,
          name: u.name ?? null,
        };
      } catch (err) {
        if (err instanceof ProviderNotFoundError) return undefined;
        throw err;
      }
    },
    async deleteUser(userId) {
      try {
        await callProvider('auth0', 'delete user', (abortSignal) => client.users.delete(userId, { abortSignal }), {
          timeoutMs,
          idempotent: true,
        });
      } catch (err) {
        // A retried delete whose first attempt went through finds the user gone: that is the goal.
        if (!(err instanceof ProviderNotFoundError)) throw err;
      }
    },
  };
}
