// The worker manifest: every function that reacts to the table's stream, once. The CDK stack (one
// function and one filtered event source per entry), the local runtime (lib/local/streams.ts) and the
// bench read `workers`; a worker imports only its own entry. Handlers live at functions/streams/.
// Side effects that must not be lost (emails, provider calls, counters) run here, not in a route.
import { CONTACT_PK_PREFIX } from '../shared/db/contacts';
import { TICKET_PK_PREFIX } from '../shared/db/tickets';
import type { WorkerDef } from '../shared/streams/worker-def';

export const deliverContactEmail = {
  name: 'deliverContactEmail',
  handler: 'functions/streams/deliver-contact-email.ts',
  summary: 'Emails a new contact request to the sales inbox and marks it sent',
  on: { events: ['INSERT'], pk: CONTACT_PK_PREFIX },
  uses: { table: 'write', providers: ['mailgun'] },
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 24 * 3600,
} satisfies WorkerDef;

export const deliverTicketEmails = {
  name: 'deliverTicketEmails',
  handler: 'functions/streams/deliver-ticket-emails.ts',
  summary: 'Emails a new support ticket to the support inbox and a confirmation to its sender, marking each once sent',
  on: { events: ['INSERT'], pk: TICKET_PK_PREFIX },
  uses: { table: 'write', providers: ['mailgun'] },
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 24 * 3600,
} satisfies WorkerDef;

/** Every worker, by name. */
export const workers: Record<string, WorkerDef> = { deliverContactEmail, deliverTicketEmails };
