// Stream worker: a new contact request (CONTACT# INSERT) is emailed to the sales inbox, once.
import { mailConfig } from '../../shared/config/mail';
import { table } from '../../shared/db/client';
import { contactIdOfKey, contactsRepository } from '../../shared/db/contacts';
import { deliverContactEmail as deliver } from '../../shared/domain/contact';
import { configuredMailer } from '../../shared/providers/mailgun';
import { worker } from '../../shared/streams/worker';
import { deliverContactEmail } from '../../lib/workers';

const deps = {
  contacts: contactsRepository(table()),
  mailer: configuredMailer(),
  salesInbox: mailConfig().salesInbox,
};

export const handler = worker(deliverContactEmail, async ({ keys }) => {
  await deliver(deps, contactIdOfKey(keys).requestId);
});
