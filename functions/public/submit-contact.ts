// POST /v1/public/contact — checks reCAPTCHA when a token comes (the seed's form sends none: then the
// tighter token-less limits hold) and the sender's rate limit, stores the message; the
// deliverContactEmail worker emails it.
import { rateLimitConfig } from '../../shared/config/rate-limits';
import { retentionConfig } from '../../shared/config/retention';
import { table } from '../../shared/db/client';
import { contactsRepository } from '../../shared/db/contacts';
import { rateLimitsRepository } from '../../shared/db/rate-limits';
import { submitContactRequest } from '../../shared/domain/contact';
import { accepted } from '../../shared/http/reply';
import { configuredRecaptcha } from '../../shared/providers/recaptcha';
import { submitContact } from '../../lib/routes/public';
import { route } from '../../shared/app/idempotent-route';
import { IDEMPOTENCY_HEADER } from '../../shared/http/middleware/idempotency';

const deps = {
  contacts: contactsRepository(table()),
  humanCheck: configuredRecaptcha(),
  rateLimits: rateLimitsRepository(table()),
  rateLimit: rateLimitConfig().contact,
  withoutToken: { perAddress: rateLimitConfig().contactWithoutToken, perEmail: rateLimitConfig().contactWithoutTokenPerEmail },
  retentionDays: retentionConfig().publicFormDays,
};

export const handler = route(submitContact, async ({ body, sourceIp, headers }) =>
  accepted(await submitContactRequest(deps, body, sourceIp, headers[IDEMPOTENCY_HEADER])),
);
