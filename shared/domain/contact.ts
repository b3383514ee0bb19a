// The marketing site's contact form, in two steps.
//
// submitContactRequest — the route.
//   input: the validated form (with its reCAPTCHA token) and the sender's IP; output: the stored
//   request's id.
//   1. with a reCAPTCHA token: verify it for the action `contact` (403 `recaptcha-*` when it does not
//      pass) and count the request against the sender's hourly limit. Without one (the marketing site
//      sends none, as the seed shows): count it against the tighter limits for token-less messages,
//      per address and hour and per sender email address and day (429 `rate-limited` with Retry-After);
//   3. store the request with `mailStatus: pending` and a TTL (the retention period for public
//      forms). The token is not stored. That is all: the sender gets 202 once the row is written,
//      whatever Mailgun is doing.
//
// deliverContactEmail — the worker, from the row's INSERT on the table's stream.
//   input: the request id; output: what it did.
//   1. read the row as it is now; nothing to do if it is gone or already sent (a redelivered record);
//   2. email it to the sales inbox (shared/email/team.ts), reply-to = the sender;
//   3. mark the row sent with Mailgun's message id. A failed send throws, and the stream retries the
//      record; after the last retry it is parked for a re-drive, so no stored request stays unsent.
import { createHash, randomUUID } from 'node:crypto';
import { IdempotencyKeyReusedError } from '../errors';
import type { RateLimit } from '../config/rate-limits';
import { expiresAfterDays } from '../config/retention';
import type { ContactRow, ContactsRepository } from '../db/contacts';
import type { RateLimitsRepository } from '../db/rate-limits';
import { contactRequestMail } from '../email/team';
import { TEAM_LOCALE } from '../model/locale';
import { logger } from '../observability/logger';
import type { Mailer, OutgoingMail } from '../providers/mailgun/port';
import type { HumanCheck } from '../providers/recaptcha/port';
import { enforceRateLimit, requireHuman } from './public-form-guards';
import { RECAPTCHA_ACTIONS } from '../model/recaptcha-actions';
import { clientScopedKey } from '../net/client-key';

export interface ContactForm {
  name: string;
  email: string;
  company?: string;
  message: string;
}

/** The `rateLimits` counter's name for this form. */
export const CONTACT_RATE_LIMIT = 'contact';

export interface ContactDeps {
  contacts: ContactsRepository;
  now?: () => Date;
}

export interface SubmitContactDeps extends ContactDeps {
  humanCheck: HumanCheck;
  rateLimits: RateLimitsRepository;
  /** Messages with a token, per address. */
  rateLimit: RateLimit;
  /** Messages without a token: per address, and per sender email address. */
  withoutToken: { perAddress: RateLimit; perEmail: RateLimit };
  retentionDays: number;
}

/** The `rateLimits` counters of token-less messages. */
export const CONTACT_WITHOUT_TOKEN_RATE_LIMIT = 'contact-without-token';
export const CONTACT_WITHOUT_TOKEN_EMAIL_RATE_LIMIT = 'contact-without-token-email';

/** Whom the per-email limit counts: the address hashed, so the counter's key holds no personal data. */
const emailKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('base64url').slice(0, 22);

export async function submitContactRequest(
  deps: SubmitContactDeps,
  { recaptchaToken, ...form }: ContactForm & { recaptchaToken?: string },
  sourceIp: string,
  idempotencyKey?: string,
) {
  const now = deps.now?.() ?? new Date();
  if (recaptchaToken !== undefined) {
    await requireHuman(deps.humanCheck, { token: recaptchaToken, expectedAction: RECAPTCHA_ACTIONS.submitContact, remoteIp: sourceIp });
    await enforceRateLimit(deps.rateLimits, { form: CONTACT_RATE_LIMIT, sourceIp, rule: deps.rateLimit, now });
  } else {
    await enforceRateLimit(deps.rateLimits, { form: CONTACT_WITHOUT_TOKEN_RATE_LIMIT, sourceIp, rule: deps.withoutToken.perAddress, now });
    await enforceRateLimit(deps.rateLimits, { form: CONTACT_WITHOUT_TOKEN_EMAIL_RATE_LIMIT, client: emailKey(form.email), rule: deps.withoutToken.perEmail, now });
  }

  // With an Idempotency-Key the id comes from the key, in the sender's client scope: a retry whose
  // first attempt did write (the table answered too late, the client got a 503) finds that row
  // instead of storing a second one; another sender's same key makes another row.
  const requestId = idempotencyKey ? idFromKey(clientScopedKey(idempotencyKey, sourceIp)) : randomUUID();
  const stored = await deps.contacts.create({
    requestId,
    ...form,
    sourceIp,
    receivedAt: now.toISOString(),
    mailStatus: 'pending',
    ttl: expiresAfterDays(now, deps.retentionDays),
  });
  if (!stored.created && !sameForm(stored.existing, form)) {
    throw new IdempotencyKeyReusedError();
  }
  return { requestId, status: 'received' as const };
}

function idFromKey(key: string): string {
  const h = createHash('sha256').update(`contact\u0000${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const sameForm = (row: ContactRow, form: ContactForm) =>
  row.name === form.name && row.email === form.email && (row.company ?? undefined) === (form.company ?? undefined) && row.message === form.message;

export interface ContactMailDeps extends ContactDeps {
  mailer: Mailer;
  salesInbox: string;
}

export async function deliverContactEmail(
  deps: ContactMailDeps,
  requestId: string,
): Promise<'sent' | 'already-sent' | 'gone'> {
  const row = await deps.contacts.get(requestId);
  if (!row) return 'gone';
  if (row.mailStatus === 'sent') return 'already-sent';

  const { id } = await deps.mailer.send(contactMail(row, deps.salesInbox));
  // The one window left: Mailgun accepted the message but this mark is not written (the function
  // dies, or the table refuses the write). The record is then retried and the email goes out again;
  // Mailgun takes no idempotency key that would close it.
  const marked = await deps.contacts.markSent(requestId, id, (deps.now?.() ?? new Date()).toISOString());
  if (!marked) logger.warn('contact email sent, but another delivery had marked the row first', { contactRequestId: requestId, mailId: id });
  return 'sent';
}

function contactMail(row: ContactRow, salesInbox: string): OutgoingMail {
  const { subject, text, html } = contactRequestMail(TEAM_LOCALE, row);
  return {
    to: salesInbox,
    // The validated address alone: a display name built from user text could add addresses.
    replyTo: row.email,
    subject,
    text,
    html,
    tags: ['contact'],
    variables: { requestId: row.requestId },
  };
}
