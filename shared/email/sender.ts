// The email to someone who wrote to us on a public form and may have no account: the support
// ticket's confirmation, in the language their browser asked for (shared/email/language.ts).
import type { Locale } from '../model/locale';
import type { TicketPriority } from '../model/tickets';
import { PRIORITY, document, fields, html, type RenderedMail } from './kit';

export interface TicketConfirmationData {
  ticketNumber: string;
  title: string;
  ticketPriority: TicketPriority;
}

/**
 * The confirmation to the sender of a ticket. It repeats the number, title and priority, not the
 * message: anyone can give any address on a public form, so what it sends a stranger stays short.
 */
export function ticketConfirmationMail(locale: Locale, d: TicketConfirmationData): RenderedMail {
  const t = {
    de: {
      subject: `Ihr Support-Ticket ${d.ticketNumber}`,
      hello: 'Guten Tag,',
      received: `vielen Dank für Ihre Nachricht. Wir haben Ihr Support-Ticket ${d.ticketNumber} erhalten und melden uns so bald wie möglich.`,
      ticket: 'Ticket',
      title: 'Betreff',
      priority: 'Priorität',
      reply: 'Wenn Sie etwas ergänzen möchten, antworten Sie einfach auf diese E-Mail und nennen Sie die Ticketnummer.',
      bye: 'Ihr Fonella-Support',
    },
    en: {
      subject: `Your support ticket ${d.ticketNumber}`,
      hello: 'Hello,',
      received: `thank you for your message. We have received your support ticket ${d.ticketNumber} and will get back to you as soon as we can.`,
      ticket: 'Ticket',
      title: 'Subject',
      priority: 'Priority',
      reply: 'To add anything, just reply to this email and mention the ticket number.',
      bye: 'Your Fonella support team',
    },
  }[locale];
  const f = fields([
    [t.ticket, d.ticketNumber],
    [t.title, d.title],
    [t.priority, PRIORITY[locale][d.ticketPriority]],
  ]);
  return {
    subject: t.subject,
    text: [t.hello, '', t.received, '', f.text, '', t.reply, '', t.bye].join('\n'),
    html: document(locale, t.subject, html`<p>${t.hello}</p><p>${t.received}</p>${f.html}<p>${t.reply}</p><p>${t.bye}</p>`),
  };
}
