// updateSettings — PATCH /v1/me/settings: the caller changes their own settings row.
//   input: the verified caller (the row is theirs: the path names no user) and the validated change
//   (at least one of name, email, timezone, locale; none null); output: the settings as stored.
//   One UpdateCommand on the caller's key sets the given fields and `updatedAt`. A caller who never
//   called GET /v1/me has no row yet: the same update creates it, with the defaults GET /v1/me would
//   have written (email and name from the token's claims, Europe/Berlin, German, owner) in every
//   field the change does not name. No read comes before or after the write: ALL_NEW answers.
import type { SettingsDefaults, SettingsRow, UsersRepository } from '../db/users';
import { DEFAULT_LOCALE } from '../model/locale';
import type { Caller } from '../model/caller';
import type { SettingsUpdateBody } from '../schemas/settings';

/** The time zone of a settings row nobody chose one for. */
export const DEFAULT_TIMEZONE = 'Europe/Berlin';

export interface SettingsView {
  userId: string;
  email: string | null;
  name: string | null;
  timezone: string;
  locale: string;
  role: 'owner' | 'member';
  createdAt: string;
  updatedAt: string;
}

export async function updateSettings(
  deps: { users: UsersRepository; now?: () => Date },
  caller: Caller,
  change: SettingsUpdateBody,
): Promise<SettingsView> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  const defaults: SettingsDefaults = {
    email: caller.email ?? null,
    name: caller.name ?? null,
    timezone: DEFAULT_TIMEZONE,
    locale: DEFAULT_LOCALE,
    role: 'owner',
    createdAt: now,
  };
  const row = await deps.users.updateSettings(caller.id, { ...change, updatedAt: now }, defaults);
  return settingsView(row);
}

/** The settings as the API shows them (the `Settings` schema): the row's own fields, nothing else. */
export function settingsView(row: SettingsRow): SettingsView {
  return {
    userId: row.userId,
    email: row.email ?? null,
    name: row.name ?? null,
    timezone: row.timezone,
    locale: row.locale,
    role: row.role,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
