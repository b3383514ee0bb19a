// Stream worker: a new support ticket (TICKET# INSERT) is emailed to the support inbox and confirmed
// to its sender, each email once.
import { mailConfig } from '../../shared/config/mail';
import { table } from '../../shared/db/client';
import { ticketIdOfKey, ticketsRepository } from '../../shared/db/tickets';
import { deliverTicketEmails as deliver } from '../../shared/domain/support-ticket';
import { configuredMailer } from '../../shared/providers/mailgun';
import { worker } from '../../shared/streams/worker';
import { deliverTicketEmails } from '../../lib/workers';

const deps = {
  tickets: ticketsRepository(table()),
  mailer: configuredMailer(),
  supportInbox: mailConfig().supportInbox,
};

export const handler = worker(deliverTicketEmails, async ({ keys }) => {
  await deliver(deps, ticketIdOfKey(keys).ticketNumber);
});
