// The caller's settings, and the address they give there, which counts only once it is confirmed.
//
// updateSettings — PATCH /v1/me/settings: the caller changes their own settings row.
//   input: the verified caller (the row is theirs: the path names no user) and the validated change
//   (at least one of name, email, timezone, locale; none null); output: the settings as stored.
//   1. name, time zone and language are set as given;
//   2. an address is never taken as it came. The address in use again: any pending change is dropped.
//      The token's own address when Auth0 verified it (`email_verified`): in use at once, verified.
//      Any other: pending (`pendingEmail`, expiring after EMAIL_CONFIRMATION_TTL_HOURS) while the
//      address in use stays as it is, and counted against RATE_LIMIT_EMAIL_CONFIRMATIONS_PER_USER_PER_DAY
//      (over it 429 `rate-limited`, nothing written); the sendEmailConfirmation worker emails the
//      link. Deciding reads the row (read first, with the account's state: the route's gate);
//   3. `callRetentionDays` must lie within the stage's bounds (else 400 naming it, nothing written); a
//      new one also sets `callRedating` (the days and now), which the redateCalls worker takes up to
//      give every stored call its new TTL (calls.ts); `transcriptStorage` rules the calls stored from
//      now on;
//   4. one UpdateCommand on the caller's key sets it all and `updatedAt`. A caller who never called
//      GET /v1/me has no row yet: the same update creates it, with the defaults GET /v1/me would have
//      written (email and name from the token's claims, the address verified as the token says,
//      Europe/Berlin, German, owner) in every field the change does not name. ALL_NEW answers.
//
// sendEmailConfirmation — the worker, from the settings row's INSERT or MODIFY whose
//   `pendingEmailRequestedAt` changed (a new request).
//   1. read the row (strongly consistent); nothing to do without a pending change, when its email went
//      out, or once it expired;
//   2. draw a random token and store only its SHA-256 on the row, conditional on the same request and
//      no email sent for it (a newer request replaces the change and its token);
//   3. email the pending address `<PORTAL_URL>/settings/confirm-email?token=<token>`, in the user's
//      language, with when the link stops working, then mark the row with Mailgun's id (conditional on
//      that hash). A failed send throws and the stream retries with a new token, which replaces the
//      unsent one; the window left (Mailgun accepted, the mark not written) sends a second email whose
//      token replaces the first one's: only the newest link works.
//
// confirmEmail — POST /v1/me/email-confirmations: the caller hands in the link's token (the portal's
//   confirmation page posts it, signed in as the account whose address changed).
//   1. read the row with the account's state (the route's gate: one read); the token's hash must be
//      the pending change's (a constant-time compare): else 400
//      `email-confirmation-invalid` (no change pending, another link, one already used); a change past
//      its expiry is 410 `email-confirmation-expired`;
//   2. one update, conditional on that hash and the expiry, makes the pending address the verified one
//      in use and removes the pending change; the settings as stored answer.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { RateLimit } from '../config/rate-limits';
import { DEFAULT_TRANSCRIPT_STORAGE, type CallRetention, type TranscriptStorage } from '../config/retention';
import type { RateLimitsRepository } from '../db/rate-limits';
import type { ReadTogether } from '../db/get-items';
import { accountStateRead } from '../db/teardowns';
import { hashConfirmationToken, settingsRead, type EmailChange, type SettingsDefaults, type SettingsRow, type UsersRepository } from '../db/users';
import { emailConfirmationMail } from '../email/customer';
import { AppError, ValidationError } from '../errors';
import type { Caller } from '../model/caller';
import { DEFAULT_LOCALE, localeOr } from '../model/locale';
import { logger } from '../observability/logger';
import type { Mailer } from '../providers/mailgun/port';
import type { SettingsUpdateBody } from '../schemas/settings';
import { assertAccountOpen } from './account-state';
import { enforceUserRateLimit } from './user-rate-limits';

/** The time zone of a settings row nobody chose one for. */
export const DEFAULT_TIMEZONE = 'Europe/Berlin';

/** How long a confirmation link works. */
export const EMAIL_CONFIRMATION_TTL_HOURS = 24;

/** The rate limit's name (its counters' key): confirmation links per user and day. */
export const EMAIL_CONFIRMATION_RATE_LIMIT = 'email-confirmation';

export const EMAIL_CONFIRMATION_INVALID = 'email-confirmation-invalid';
export const EMAIL_CONFIRMATION_EXPIRED = 'email-confirmation-expired';

/** No pending change has this token: 400 `email-confirmation-invalid`. */
export class EmailConfirmationInvalidError extends AppError {
  constructor() {
    super(400, EMAIL_CONFIRMATION_INVALID, 'Bad request', 'This confirmation link is not the one of your pending address change: it was replaced by a newer one, used already, or never sent.');
  }
}

/** The pending change expired: 410 `email-confirmation-expired`. */
export class EmailConfirmationExpiredError extends AppError {
  constructor() {
    super(410, EMAIL_CONFIRMATION_EXPIRED, 'Gone', 'This confirmation link has expired: enter the address in your settings again for a new one.');
  }
}

export interface SettingsView {
  userId: string;
  /** The address in use. */
  email: string | null;
  /** Whether the address in use is verified (by Auth0, or by its confirmation link). */
  emailVerified: boolean;
  /** A changed address waiting for its confirmation link, and until when the link works. */
  pendingEmail: { email: string; expiresAt: string } | null;
  name: string | null;
  timezone: string;
  locale: string;
  role: 'owner' | 'member';
  callRetentionDays: number;
  transcriptStorage: TranscriptStorage;
  createdAt: string;
  updatedAt: string;
}

export interface UpdateSettingsDeps {
  users: Pick<UsersRepository, 'updateSettings'>;
  read: ReadTogether;
  rateLimits: RateLimitsRepository;
  /** Confirmation links per user and day. */
  confirmationLimit: RateLimit;
  /** The stage's call retention: the bounds a customer chooses within, the default shown without a choice. */
  callRetention: CallRetention;
  now?: () => Date;
}

export async function updateSettings(deps: UpdateSettingsDeps, caller: Caller, change: SettingsUpdateBody): Promise<SettingsView> {
  const at = deps.now?.() ?? new Date();
  const now = at.toISOString();
  const defaults: SettingsDefaults = {
    email: caller.email ?? null,
    emailVerified: Boolean(caller.email) && caller.emailVerified,
    name: caller.name ?? null,
    timezone: DEFAULT_TIMEZONE,
    locale: DEFAULT_LOCALE,
    role: 'owner',
    createdAt: now,
  };
  // The route's account gate, folded into this read (`accountState` in its manifest entry).
  const read = await deps.read({ settings: settingsRead(caller.id), account: accountStateRead(caller.id) });
  assertAccountOpen(read.account);
  const { email, ...fields } = change;
  const days = fields.callRetentionDays;
  if (days !== undefined && (days < deps.callRetention.minDays || days > deps.callRetention.maxDays)) {
    throw new ValidationError([
      { path: 'body.callRetentionDays', message: `Must be between ${deps.callRetention.minDays} and ${deps.callRetention.maxDays} days.` },
    ]);
  }
  const redating = days === undefined ? {} : { callRedating: { days, requestedAt: now } };
  let emailChange: EmailChange | undefined;
  if (email !== undefined) {
    const current = read.settings ?? defaults;
    if (email === current.email && current.emailVerified === true) emailChange = { kind: 'keep' };
    else if (email === caller.email && caller.emailVerified) emailChange = { kind: 'verified', email };
    else {
      await enforceUserRateLimit(deps.rateLimits, {
        form: EMAIL_CONFIRMATION_RATE_LIMIT,
        userId: caller.id,
        rule: deps.confirmationLimit,
        now: at,
        detail: 'Too many new email addresses to confirm today.',
      });
      emailChange = { kind: 'pending', email, expiresAt: new Date(at.getTime() + EMAIL_CONFIRMATION_TTL_HOURS * 3_600_000).toISOString() };
    }
  }
  const row = await deps.users.updateSettings(caller.id, { ...fields, ...redating, updatedAt: now }, defaults, emailChange);
  return settingsView(row, deps.callRetention);
}

/**
 * The settings as the API shows them (the `Settings` schema): the row's own fields, never a token's
 * hash; the retention the account chose, else the stage's default.
 */
export function settingsView(row: SettingsRow, retention: Pick<CallRetention, 'defaultDays'>): SettingsView {
  return {
    userId: row.userId,
    email: row.email ?? null,
    emailVerified: Boolean(row.email) && row.emailVerified === true,
    pendingEmail: row.pendingEmail && row.pendingEmailExpiresAt ? { email: row.pendingEmail, expiresAt: row.pendingEmailExpiresAt } : null,
    name: row.name ?? null,
    timezone: row.timezone,
    locale: row.locale,
    role: row.role,
    callRetentionDays: row.callRetentionDays ?? retention.defaultDays,
    transcriptStorage: row.transcriptStorage ?? DEFAULT_TRANSCRIPT_STORAGE,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export interface EmailConfirmationDeps {
  users: Pick<UsersRepository, 'findSettings' | 'setConfirmationToken' | 'markConfirmationSent'>;
  mailer: Mailer;
  /** The customer portal's base URL, without a trailing slash. */
  portalUrl: string;
  now?: () => Date;
}

export type EmailConfirmationOutcome = 'sent' | 'already-sent' | 'nothing-pending' | 'expired' | 'superseded';

export async function sendEmailConfirmation(deps: EmailConfirmationDeps, userId: string): Promise<EmailConfirmationOutcome> {
  const row = await deps.users.findSettings(userId);
  if (!row?.pendingEmail || !row.pendingEmailRequestedAt || !row.pendingEmailExpiresAt) return 'nothing-pending';
  if (row.pendingEmailMailId) return 'already-sent';
  const now = deps.now?.() ?? new Date();
  if (row.pendingEmailExpiresAt <= now.toISOString()) return 'expired';

  const token = randomBytes(32).toString('base64url');
  const hash = hashConfirmationToken(token);
  if (!(await deps.users.setConfirmationToken(userId, row.pendingEmailRequestedAt, hash))) return 'superseded';

  const locale = localeOr(row.locale);
  const { id } = await deps.mailer.send({
    ...emailConfirmationMail(locale, {
      link: `${deps.portalUrl}/settings/confirm-email?token=${encodeURIComponent(token)}`,
      expiresAt: row.pendingEmailExpiresAt,
      timeZone: row.timezone || DEFAULT_TIMEZONE,
    }),
    to: row.pendingEmail,
    tags: ['email-confirmation'],
    variables: { mail: 'email-confirmation' },
  });
  const marked = await deps.users.markConfirmationSent(userId, hash, id, (deps.now?.() ?? new Date()).toISOString());
  if (!marked) logger.warn('email confirmation sent, but a newer request had replaced its token first', { mailId: id });
  return 'sent';
}

const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export async function confirmEmail(
  deps: { users: Pick<UsersRepository, 'confirmPendingEmail'>; read: ReadTogether; callRetention: Pick<CallRetention, 'defaultDays'>; now?: () => Date },
  caller: Pick<Caller, 'id'>,
  token: string,
): Promise<SettingsView> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  const hash = hashConfirmationToken(token);
  // The route's account gate, folded into this read (`accountState` in its manifest entry).
  const { settings: row, account } = await deps.read({ settings: settingsRead(caller.id), account: accountStateRead(caller.id) });
  assertAccountOpen(account);
  if (!row?.pendingEmail || !row.pendingEmailTokenHash || !sameHash(row.pendingEmailTokenHash, hash)) throw new EmailConfirmationInvalidError();
  if (!row.pendingEmailExpiresAt || row.pendingEmailExpiresAt <= now) throw new EmailConfirmationExpiredError();
  const confirmed = await deps.users.confirmPendingEmail(caller.id, hash, now);
  // The row changed between the read and the write: a newer request, or the same link used at once.
  if (!confirmed) throw new EmailConfirmationInvalidError();
  logger.info('email address confirmed');
  return settingsView(confirmed, deps.callRetention);
}
