// POST /v1/public/contact — stores the message; the deliverContactEmail worker emails it.
import { retentionConfig } from '../../shared/config/retention';
import { table } from '../../shared/db/client';
import { contactsRepository } from '../../shared/db/contacts';
import { submitContactRequest } from '../../shared/domain/contact';
import { accepted } from '../../shared/http/reply';
import { submitContact } from '../../lib/routes';
import { route } from '../../shared/http/route';

const deps = { contacts: contactsRepository(table()), retentionDays: retentionConfig().publicFormDays };

export const handler = route(submitContact, async ({ body, sourceIp }) =>
  accepted(await submitContactRequest(deps, body, sourceIp)),
);
