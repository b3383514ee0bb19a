// The marketing site's contact form, in two steps.
//
// submitContactRequest — the route.
//   input: the validated form and the sender's IP; output: the stored request's id.
//   1. store the request with `mailStatus: pending` and a TTL (the retention period for public
//      forms). That is all: the sender gets 202 once the row is written, whatever Mailgun is doing.
//
// deliverContactEmail — the worker, from the row's INSERT on the table's stream.
//   input: the request id; output: what it did.
//   1. read the row as it is now; nothing to do if it is gone or already sent (a redelivered record);
//   2. email it to the sales inbox, reply-to = the sender;
//   3. mark the row sent with Mailgun's message id. A failed send throws, and the stream retries the
//      record; after the last retry it is parked for a re-drive, so no stored request stays unsent.
import { randomUUID } from 'node:crypto';
import { expiresAfterDays } from '../config/retention';
import type { ContactRow, ContactsRepository } from '../db/contacts';
import { logger } from '../observability/logger';
import type { Mailer, OutgoingMail } from '../providers/mailgun/port';

export interface ContactForm {
  name: string;
  email: string;
  company?: string;
  message: string;
}

export interface ContactDeps {
  contacts: ContactsRepository;
  now?: () => Date;
}

export async function submitContactRequest(
  deps: ContactDeps & { retentionDays: number },
  form: ContactForm,
  sourceIp: string,
) {
  const requestId = randomUUID();
  const now = deps.now?.() ?? new Date();
  await deps.contacts.create({
    requestId,
    ...form,
    sourceIp,
    receivedAt: now.toISOString(),
    mailStatus: 'pending',
    ttl: expiresAfterDays(now, deps.retentionDays),
  });
  return { requestId, status: 'received' as const };
}

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
  return {
    to: salesInbox,
    // The validated address alone: a display name built from user text could add addresses.
    replyTo: row.email,
    subject: `Contact form: ${row.name}${row.company ? ` (${row.company})` : ''}`,
    text: [
      `Name: ${row.name}`,
      `Email: ${row.email}`,
      row.company ? `Company: ${row.company}` : undefined,
      `Request: ${row.requestId}`,
      '',
      row.message,
    ]
      .filter((l) => l !== undefined)
      .join('\n'),
    tags: ['contact'],
    variables: { requestId: row.requestId },
  };
}
