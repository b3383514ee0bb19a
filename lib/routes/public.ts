// The marketing site: no sign-in; the forms guarded by reCAPTCHA and rate limits.
// Entries follow the rules in ./index.ts.
import type { RecaptchaAction } from '../../shared/model/recaptcha-actions';
import { RATE_LIMITED, RECAPTCHA_REFUSALS } from '../../shared/errors';
import type { RouteDef } from '../../shared/http/route-def';
import {
  CallbackAccepted,
  CallbackRequest,
  ContactAccepted,
  ContactRequest,
  HealthQuery,
  HealthResponse,
  PlansResponse,
  SupportTicketCreated,
  SupportTicketRequest,
} from '../../shared/schemas/public';


/** What the public forms answer themselves: their reCAPTCHA check (403) and their rate limit (429). */
const publicFormErrors = (form: string, action: RecaptchaAction): NonNullable<RouteDef['errors']> => [
  {
    status: 403,
    slugs: Object.keys(RECAPTCHA_REFUSALS).map((reason) => `recaptcha-${reason}`),
    description: `Forbidden: the reCAPTCHA v3 check failed; nothing was stored. \`recaptcha-missing\`: no \`recaptchaToken\` (required on deployed stages). \`recaptcha-failed\`: Google did not verify the token (invalid, expired or already used: mint a new one for each request, retries included). \`recaptcha-action-mismatch\`: the token was minted for another action than \`${action}\`. \`recaptcha-low-score\`: the score is below the configured threshold.`,
  },
  {
    status: 429,
    slugs: [RATE_LIMITED],
    description: `\`${RATE_LIMITED}\`: this client address sent the ${form} more often this hour than its limit allows; nothing was stored. Retry after \`Retry-After\` seconds, when the hour's window ends.`,
    retryAfter: 'Seconds until the rate-limit window ends.',
  },
];

/** The contact form's: a token is optional on every stage, and a token-less message meets tighter limits. */
const contactErrors = (): NonNullable<RouteDef['errors']> =>
  publicFormErrors('contact form', 'contact').map((e) =>
    e.status === 403
      ? {
          ...e,
          slugs: e.slugs.filter((slug) => slug !== 'recaptcha-missing'),
          description: `Forbidden: a \`recaptchaToken\` was sent and the reCAPTCHA v3 check failed; nothing was stored. \`recaptcha-failed\`: Google did not verify the token (invalid, expired or already used: mint a new one for each request, retries included). \`recaptcha-action-mismatch\`: the token was minted for another action than \`contact\`. \`recaptcha-low-score\`: the score is below the configured threshold.`,
        }
      : {
          ...e,
          description: `\`${RATE_LIMITED}\`: this client address sent the contact form more often this hour than its limit allows (a tighter one without a token), or this sender email address sent more token-less messages today; nothing was stored. Retry after \`Retry-After\` seconds, when the window ends.`,
        },
  );

/** The test callback's: as the forms', its 429 also counting the calls to one number per day. */
const callbackErrors = (): NonNullable<RouteDef['errors']> =>
  publicFormErrors('test callback', 'callback_request').map((e) =>
    e.status === 429
      ? {
          ...e,
          description: `\`${RATE_LIMITED}\`: this client address asked for more test callbacks this hour, or this number got more today, than the limits allow; nothing was stored and nobody was called. Retry after \`Retry-After\` seconds, when the window ends.`,
        }
      : e,
  );

export const getHealth = {
  name: 'getHealth',
  method: 'GET',
  path: '/v1/health',
  handler: 'functions/public/get-health.ts',
  access: 'public',
  summary: 'Service health',
  description:
    'Answers 200 with the service name, stage and server time while the API runs; for monitors and the marketing site. With `deep=1` it also reads the table once (bounded by a short timeout) and lists the checks; a monitor or status page should call that.',
  tags: ['public'],
  request: { query: HealthQuery },
  response: { status: 200, body: HealthResponse, description: 'The service answers (and, with `deep`, every check passed).' },
  errors: [
    {
      status: 503,
      slugs: ['unhealthy'],
      description: 'Service unavailable. `unhealthy`: with `deep`, a check failed; `detail` names it (`table`) and how (no answer in time, or an error).',
    },
  ],
  // Read for the deep check only: the shallow one touches nothing.
  uses: { table: 'read' },
} satisfies RouteDef;

export const listPlans = {
  name: 'listPlans',
  method: 'GET',
  path: '/v1/public/plans',
  handler: 'functions/public/list-plans.ts',
  access: 'public',
  summary: 'The plans Fonella sells',
  description: 'The three plans with their monthly price, currency, included minutes and features, from configuration.',
  tags: ['public'],
  response: { status: 200, body: PlansResponse, description: 'The three plans.' },
  uses: {},
} satisfies RouteDef;

export const submitContact = {
  name: 'submitContact',
  method: 'POST',
  path: '/v1/public/contact',
  handler: 'functions/public/submit-contact.ts',
  access: 'public',
  summary: 'Contact form',
  description:
    'With a reCAPTCHA v3 token (action `contact`), checks it and the client address\'s hourly limit; without one (the marketing site sends none), checks the tighter token-less limits per client address and hour and per sender email address and day. Then stores the message and answers; a stream worker emails it to the sales inbox with the sender as reply-to, retrying until Mailgun takes it.',
  tags: ['public'],
  request: { body: ContactRequest, maxBodyBytes: 32_768 },
  response: { status: 202, body: ContactAccepted, description: 'Stored; the team is notified.' },
  errors: /* @__PURE__ */ contactErrors(),
  idempotent: true,
  uses: { table: 'write', providers: ['recaptcha'] },
} satisfies RouteDef;

export const submitSupportTicket = {
  name: 'submitSupportTicket',
  method: 'POST',
  path: '/v1/public/support-tickets',
  handler: 'functions/public/submit-support-ticket.ts',
  access: 'public',
  summary: 'Support ticket',
  description:
    'Checks the reCAPTCHA v3 token (action `support_ticket`) and the client address\'s hourly limit, stores the ticket under a new number and answers with it. A stream worker then emails the ticket to the support inbox (priority in the subject, the sender as reply-to) and a confirmation to the sender, in German or English after the request\'s `Accept-Language` (German by default).',
  tags: ['public'],
  request: { body: SupportTicketRequest, maxBodyBytes: 49_152 },
  response: { status: 201, body: SupportTicketCreated, description: 'Stored under the number answered; the support team and the sender are emailed.' },
  errors: /* @__PURE__ */ publicFormErrors('support ticket form', 'support_ticket'),
  idempotent: true,
  uses: { table: 'write', providers: ['recaptcha'] },
} satisfies RouteDef;

export const submitCallbackRequest = {
  name: 'submitCallbackRequest',
  method: 'POST',
  path: '/v1/public/callback-requests',
  handler: 'functions/public/submit-callback-request.ts',
  access: 'public',
  summary: 'Test callback',
  description:
    'The marketing site\'s test callback: checks the reCAPTCHA v3 token (action `callback_request`), the client address\'s hourly limit and the number\'s daily limit, stores the request and has the configured provider (Vapi, fonial or jambonz) call the number with the locale\'s assistant and caller ID, passing company, preferred window and notes to the call. The number must be a mobile or landline number (E.164, or German without `+`); premium-rate, shared-cost and short numbers are refused.',
  tags: ['public'],
  request: { body: CallbackRequest, maxBodyBytes: 24_576 },
  response: { status: 202, body: CallbackAccepted, description: 'Stored; the provider is calling the number.' },
  errors: /* @__PURE__ */ callbackErrors(),
  idempotent: true,
  uses: { table: 'write', providers: ['recaptcha', 'vapi', 'fonial', 'jambonz'] },
} satisfies RouteDef;
