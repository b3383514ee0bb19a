// POST /v1/public/callback-requests — checks reCAPTCHA and the two rate limits, stores the request and
// has the configured provider (CALLBACK_PROVIDER: vapi, fonial or jambonz) call the number.
import { callbackConfig } from '../../shared/config/callback';
import { rateLimitConfig } from '../../shared/config/rate-limits';
import { retentionConfig } from '../../shared/config/retention';
import { callbacksRepository } from '../../shared/db/callbacks';
import { table } from '../../shared/db/client';
import { rateLimitsRepository } from '../../shared/db/rate-limits';
import { submitCallbackRequest as submit } from '../../shared/domain/callback';
import { fonialCallbackDialer, jambonzCallbackDialer, vapiCallbackDialer, type CallbackDialer } from '../../shared/domain/callback-dialers';
import { accepted } from '../../shared/http/reply';
import { configuredFonial } from '../../shared/providers/fonial';
import { configuredJambonz } from '../../shared/providers/jambonz';
import { configuredRecaptcha } from '../../shared/providers/recaptcha';
import { configuredVapi } from '../../shared/providers/vapi';
import { submitCallbackRequest } from '../../lib/routes/public';
import { route } from '../../shared/app/idempotent-route';
import { IDEMPOTENCY_HEADER } from '../../shared/http/middleware/idempotency';

const config = callbackConfig();

/** Only the configured provider's adapter is built (and only its configuration read). */
function configuredDialer(): CallbackDialer {
  switch (config.provider) {
    case 'vapi':
      return vapiCallbackDialer(configuredVapi(), config.vapiPhoneNumberIds);
    case 'fonial':
      return fonialCallbackDialer(configuredFonial());
    case 'jambonz':
      return jambonzCallbackDialer(configuredJambonz(), config.jambonzApplicationSid);
  }
}

const deps = {
  callbacks: callbacksRepository(table()),
  humanCheck: configuredRecaptcha(),
  rateLimits: rateLimitsRepository(table()),
  rateLimit: rateLimitConfig().callback,
  numberRateLimit: rateLimitConfig().callbackPerNumber,
  retentionDays: retentionConfig().publicFormDays,
  dialer: configuredDialer(),
  config,
};

export const handler = route(submitCallbackRequest, async ({ body, sourceIp, headers }) =>
  accepted(await submit(deps, { form: body, sourceIp, idempotencyKey: headers[IDEMPOTENCY_HEADER] })),
);
