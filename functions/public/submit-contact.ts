// POST /v1/public/contact — stores the message, then emails the sales inbox.
import { mailConfig } from '../../shared/config/mail';
import { table } from '../../shared/db/client';
import { contactsRepository } from '../../shared/db/contacts';
import { submitContactRequest } from '../../shared/domain/contact';
import { accepted } from '../../shared/http/reply';
import { submitContact } from '../../lib/routes';
import { route } from '../../shared/http/route';
import { configuredMailer } from '../../shared/providers/mailgun';

const deps = {
  contacts: contactsRepository(table()),
  mailer: configuredMailer(),
  salesInbox: mailConfig().salesInbox,
};

export const handler = route(submitContact, async ({ body, sourceIp }) =>
  accepted(await submitContactRequest(deps, body, sourceIp)),
);
