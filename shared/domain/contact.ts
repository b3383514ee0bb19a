// submitContactRequest — the marketing site's contact form.
//   input: the validated form and the sender's IP; output: the stored request's id.
//   1. store the request (nothing is lost if mail fails);
//   2. email it to the sales inbox, reply-to = the sender;
//   3. record whether the email was handed to the provider. A failed send is logged and kept as
//      `mailStatus: failed` on the row for a resend; the sender still gets 202, their message is safe.
import { randomUUID } from 'node:crypto';
import type { ContactsRepository } from '../db/contacts';
import { logger } from '../observability/logger';
import type { Mailer } from '../providers/mailgun/port';

export interface ContactForm {
  name: string;
  email: string;
  company?: string;
  message: string;
}

export interface ContactDeps {
  contacts: ContactsRepository;
  mailer: Mailer;
  salesInbox: string;
  now?: () => Date;
}

export async function submitContactRequest(deps: ContactDeps, form: ContactForm, sourceIp: string) {
  const requestId = randomUUID();
  const receivedAt = (deps.now?.() ?? new Date()).toISOString();
  await deps.contacts.create({ requestId, ...form, sourceIp, receivedAt, mailStatus: 'pending' });

  try {
    const { id } = await deps.mailer.send({
      to: deps.salesInbox,
      replyTo: `${form.name} <${form.email}>`,
      subject: `Contact form: ${form.name}${form.company ? ` (${form.company})` : ''}`,
      text: [
        `Name: ${form.name}`,
        `Email: ${form.email}`,
        form.company ? `Company: ${form.company}` : undefined,
        `Request: ${requestId}`,
        '',
        form.message,
      ]
        .filter((l) => l !== undefined)
        .join('\n'),
      tags: ['contact'],
      variables: { requestId },
    });
    await deps.contacts.markMail(requestId, { status: 'sent', mailId: id });
  } catch (err) {
    logger.error('contact email failed; the request is stored for a resend', { requestId, error: err as Error });
    await deps.contacts.markMail(requestId, { status: 'failed' });
  }
  return { requestId, status: 'received' as const };
}
