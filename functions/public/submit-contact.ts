// POST /v1/public/contact — stores the message; the deliverContactEmail worker emails it.
import { retentionConfig } from '../../shared/config/retention';
import { table } from '../../shared/db/client';
import { contactsRepository } from '../../shared/db/contacts';
import { submitContactRequest } from '../../shared/domain/contact';
import { accepted } from '../../shared/http/reply';
import { submitContact } from '../../lib/routes';
import { route } from '../../shared/http/route';
import { IDEMPOTENCY_HEADER } from '../../shared/http/middleware/idempotency';

const deps = { contacts: contactsRepository(table()), retentionDays: retentionConfig().publicFormDays };

export const handler = route(submitContact, async ({ body, sourceIp, headers }) =>
  accepted(await submitContactRequest(deps, body, sourceIp, headers[IDEMPOTENCY_HEADER])),
);
