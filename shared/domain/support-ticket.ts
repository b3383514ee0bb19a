// The marketing site's support ticket form, in two steps.
//
// submitSupportTicket — the route.
//   input: the validated form (with its reCAPTCHA token), the sender's IP and language, and the
//   Idempotency-Key if one came; output: the ticket's number.
//   1. verify the reCAPTCHA token for the action `support_ticket` (403 `recaptcha-*`);
//   2. count the request against the sender's hourly limit (429 `rate-limited` with Retry-After);
//   3. store the ticket under a new number (FON-XXXXXX), conditional on the number being free; on a
//      clash draw another, a few times at most. The token is not stored. The sender gets 201 with
//      the number once the row is written.
//
// deliverTicketEmails — the worker, from the row's INSERT on the table's stream.
//   input: the ticket number; output: what it did with each email.
//   1. read the row as it is now; nothing to do if it is gone;
//   2. unless `supportMailId` is set: email the ticket to the support inbox (priority in the subject,
//      reply-to the sender's address alone), then mark `supportMailId`;
//   3. unless `confirmationMailId` is set: email the sender a confirmation in their language
//      (reply-to the support inbox), then mark `confirmationMailId`.
//   A failed send throws and the stream retries the record; an email already marked is not sent
//   again. The window that remains (Mailgun accepted, the mark not yet written) is the contact
//   email's: a retry then sends that one email again.
import { createHash } from 'node:crypto';
import type { RateLimit } from '../config/rate-limits';
import { expiresAfterDays } from '../config/retention';
import type { TicketMail, TicketRow, TicketsRepository } from '../db/tickets';
import type { RateLimitsRepository } from '../db/rate-limits';
import { ticketConfirmationMail } from '../email/sender';
import { supportTicketMail } from '../email/team';
import { TEAM_LOCALE, type Locale } from '../model/locale';
import { IdempotencyKeyReusedError } from '../errors';
import { logger } from '../observability/logger';
import type { Mailer, OutgoingMail } from '../providers/mailgun/port';
import type { HumanCheck } from '../providers/recaptcha/port';
import type { TicketPriority } from '../model/tickets';
import { enforceRateLimit, requireHuman } from './public-form-guards';
import { RECAPTCHA_ACTIONS } from '../model/recaptcha-actions';
import { clientScopedKey } from '../net/client-key';
import { randomTicketNumber, ticketNumberFromKey } from '../model/ticket-number';

export interface SupportTicketForm {
  email: string;
  title: string;
  content: string;
  ticketPriority: TicketPriority;
  recaptchaToken?: string;
}

/** The `rateLimits` counter's name for this form. */
export const SUPPORT_TICKET_RATE_LIMIT = 'support-ticket';

/** Numbers tried before giving up: with 729 million numbers, a second one is already rare. */
export const TICKET_NUMBER_ATTEMPTS = 5;

export interface SubmitTicketDeps {
  tickets: TicketsRepository;
  humanCheck: HumanCheck;
  rateLimits: RateLimitsRepository;
  rateLimit: RateLimit;
  retentionDays: number;
  now?: () => Date;
  /** The candidate number for an attempt when no Idempotency-Key came (default: drawn at random). */
  newTicketNumber?: (attempt: number) => string;
}

export async function submitSupportTicket(
  deps: SubmitTicketDeps,
  input: { form: SupportTicketForm; sourceIp: string; locale: Locale; idempotencyKey?: string },
): Promise<{ ticketNumber: string; status: 'received' }> {
  const { recaptchaToken, ...form } = input.form;
  const now = deps.now?.() ?? new Date();
  await requireHuman(deps.humanCheck, { token: recaptchaToken, expectedAction: RECAPTCHA_ACTIONS.submitSupportTicket, remoteIp: input.sourceIp });
  await enforceRateLimit(deps.rateLimits, { form: SUPPORT_TICKET_RATE_LIMIT, sourceIp: input.sourceIp, rule: deps.rateLimit, now });

  // With an Idempotency-Key the candidate numbers come from the key, in the sender's client scope: a
  // retry whose first attempt did write (the table answered too late, the client got a 503) walks the
  // same numbers and finds its ticket, marked with the key's hash, instead of storing a second one;
  // another sender's same key walks other numbers.
  const key = input.idempotencyKey === undefined ? undefined : clientScopedKey(input.idempotencyKey, input.sourceIp);
  const keyHash = key === undefined ? undefined : createHash('sha256').update(`support-ticket\u0000${key}`).digest('hex');
  const candidate = key === undefined ? (deps.newTicketNumber ?? randomTicketNumber) : (attempt: number) => ticketNumberFromKey(key, attempt);

  for (let attempt = 0; attempt < TICKET_NUMBER_ATTEMPTS; attempt++) {
    const ticketNumber = candidate(attempt);
    const stored = await deps.tickets.create({
      ticketNumber,
      ...form,
      locale: input.locale,
      sourceIp: input.sourceIp,
      receivedAt: now.toISOString(),
      ...(keyHash ? { idempotencyKeyHash: keyHash } : {}),
      ttl: expiresAfterDays(now, deps.retentionDays),
    });
    if (stored.created) return { ticketNumber, status: 'received' };
    if (keyHash !== undefined && stored.existing.idempotencyKeyHash === keyHash) {
      if (!sameForm(stored.existing, form)) throw new IdempotencyKeyReusedError();
      return { ticketNumber, status: 'received' };
    }
    logger.warn('ticket number taken, drawing another', { attempt });
  }
  throw new Error(`no free ticket number after ${TICKET_NUMBER_ATTEMPTS} attempts`);
}

const sameForm = (row: TicketRow, form: Omit<SupportTicketForm, 'recaptchaToken'>) =>
  row.email === form.email && row.title === form.title && row.content === form.content && row.ticketPriority === form.ticketPriority;

export interface TicketMailDeps {
  tickets: TicketsRepository;
  mailer: Mailer;
  supportInbox: string;
  now?: () => Date;
}

export type TicketMailOutcome = 'sent' | 'already-sent';

export async function deliverTicketEmails(
  deps: TicketMailDeps,
  ticketNumber: string,
): Promise<Record<TicketMail, TicketMailOutcome> | 'gone'> {
  const row = await deps.tickets.get(ticketNumber);
  if (!row) return 'gone';
  // The support inbox first: if the confirmation then fails, the team already has the ticket.
  const support = await sendOnce(deps, row, 'support', row.supportMailId, () => supportMail(row, deps.supportInbox));
  const confirmation = await sendOnce(deps, row, 'confirmation', row.confirmationMailId, () => confirmationMail(row, deps.supportInbox));
  return { support, confirmation };
}

async function sendOnce(
  deps: TicketMailDeps,
  row: TicketRow,
  mail: TicketMail,
  mark: string | undefined,
  build: () => OutgoingMail,
): Promise<TicketMailOutcome> {
  if (mark) return 'already-sent';
  const { id } = await deps.mailer.send(build());
  const marked = await deps.tickets.markSent(row.ticketNumber, mail, id, (deps.now?.() ?? new Date()).toISOString());
  if (!marked) logger.warn('ticket email sent, but another delivery had marked it first', { ticketNumber: row.ticketNumber, mail, mailId: id });
  return 'sent';
}

function supportMail(row: TicketRow, supportInbox: string): OutgoingMail {
  return {
    ...supportTicketMail(TEAM_LOCALE, row),
    to: supportInbox,
    // The validated address alone: a display name built from user text could add addresses.
    replyTo: row.email,
    tags: ['support-ticket'],
    variables: { ticketNumber: row.ticketNumber, mail: 'support' },
  };
}

function confirmationMail(row: TicketRow, supportInbox: string): OutgoingMail {
  return {
    ...ticketConfirmationMail(row.locale, row),
    to: row.email,
    // A reply reaches the team.
    replyTo: supportInbox,
    tags: ['support-ticket-confirmation'],
    variables: { ticketNumber: row.ticketNumber, mail: 'confirmation' },
  };
}
