// POST /v1/public/support-tickets — checks reCAPTCHA and the sender's rate limit, stores the ticket
// under a new number; the deliverTicketEmails worker emails the support inbox and the sender.
import { rateLimitConfig } from '../../shared/config/rate-limits';
import { retentionConfig } from '../../shared/config/retention';
import { table } from '../../shared/db/client';
import { rateLimitsRepository } from '../../shared/db/rate-limits';
import { ticketsRepository } from '../../shared/db/tickets';
import { submitSupportTicket as submit } from '../../shared/domain/support-ticket';
import { localeFromAcceptLanguage } from '../../shared/email/language';
import { created } from '../../shared/http/reply';
import { configuredRecaptcha } from '../../shared/providers/recaptcha';
import { submitSupportTicket } from '../../lib/routes/public';
import { route } from '../../shared/app/idempotent-route';
import { IDEMPOTENCY_HEADER } from '../../shared/http/middleware/idempotency';

const deps = {
  tickets: ticketsRepository(table()),
  humanCheck: configuredRecaptcha(),
  rateLimits: rateLimitsRepository(table()),
  rateLimit: rateLimitConfig().supportTicket,
  retentionDays: retentionConfig().publicFormDays,
};

export const handler = route(submitSupportTicket, async ({ body, sourceIp, headers }) =>
  created(
    await submit(deps, {
      form: body,
      sourceIp,
      locale: localeFromAcceptLanguage(headers['accept-language']),
      idempotencyKey: headers[IDEMPOTENCY_HEADER],
    }),
  ),
);
