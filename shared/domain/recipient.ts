// verifiedRecipient — where mail about a user's own account may go: a verified address only, so that
// nobody can have Fonella send security mail or call summaries to an address they typed in.
//   input: the user's id; output: the verified address (or none, and why) with the settings' language
//   and time zone.
//   1. the settings' address when it is verified (Auth0 said `email_verified`, or its confirmation link
//      was used); a pending change is never used;
//   2. else, where the worker may ask Auth0, the directory's address when Auth0 says it is verified;
//      it is then kept on the settings as verified (where they have no address, or this one
//      unverified; never over another address);
//   3. else none: `no-email` when no address is known at all, `unverified-email` when the only ones
//      known are not verified.
import type { SettingsRow, UsersRepository } from '../db/users';
import type { UserDirectory } from '../providers/auth0/port';

export interface VerifiedRecipient {
  /** The verified address, or null. */
  email: string | null;
  /** Why there is none. */
  missing?: 'no-email' | 'unverified-email';
  locale?: string | null;
  timezone?: string | null;
}

export interface RecipientDeps {
  users: Pick<UsersRepository, 'findSettings' | 'keepVerifiedEmail'>;
  /** Auth0's directory, where the caller may ask it; without it only the settings count. */
  directory?: Pick<UserDirectory, 'getUser'>;
  now?: () => Date;
}

/** Whether the settings' address in use is a verified one. */
export const hasVerifiedEmail = (s: Pick<SettingsRow, 'email' | 'emailVerified'> | undefined): s is { email: string; emailVerified: true } =>
  Boolean(s?.email) && s?.emailVerified === true;

export async function verifiedRecipient(deps: RecipientDeps, userId: string): Promise<VerifiedRecipient> {
  const settings = await deps.users.findSettings(userId);
  const about = { locale: settings?.locale, timezone: settings?.timezone };
  if (hasVerifiedEmail(settings)) return { email: settings.email, ...about };

  let unverified = Boolean(settings?.email);
  if (deps.directory) {
    const user = await deps.directory.getUser(userId);
    if (user?.email && user.emailVerified) {
      if (settings) await deps.users.keepVerifiedEmail(userId, user.email, (deps.now?.() ?? new Date()).toISOString());
      return { email: user.email, ...about };
    }
    if (user?.email) unverified = true;
  }
  return { email: null, missing: unverified ? 'unverified-email' : 'no-email', ...about };
}
