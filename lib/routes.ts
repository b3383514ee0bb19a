// The route manifest: every endpoint of the API, once. The CDK stack (one function per entry), the
// local API server and the OpenAPI generator read `routes`; a handler imports only its own entry,
// so its bundle holds only its own schemas (package.json `sideEffects` lets esbuild drop the rest).
// The key is the operation id; the handler lives at functions/<caller>/<verb-noun>.ts.
import type { RouteDef } from '../shared/http/route-def';
import { Profile } from '../shared/schemas/me';
import { ContactAccepted, ContactRequest, HealthQuery, HealthResponse, PlansResponse } from '../shared/schemas/public';

// --- public: the marketing site ---------------------------------------------------------------

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
    'Stores the message and answers; a stream worker then emails it to the sales inbox with the sender as reply-to, retrying until Mailgun takes it.',
  tags: ['public'],
  request: { body: ContactRequest, maxBodyBytes: 24 * 1024 },
  response: { status: 202, body: ContactAccepted, description: 'Stored; the team is notified.' },
  idempotent: true,
  uses: { table: 'write' },
} satisfies RouteDef;

// --- me: the customer portal ------------------------------------------------------------------

export const getMe = {
  name: 'getMe',
  method: 'GET',
  path: '/v1/me',
  handler: 'functions/me/get-me.ts',
  access: 'user',
  summary: "The caller's profile",
  description: 'Settings, subscription, assistant, integrations and referral. The first call creates the settings from the token.',
  tags: ['me'],
  response: { status: 200, body: Profile, description: "The caller's profile." },
  uses: { table: 'write' },
} satisfies RouteDef;

/** Every route, by operation id. */
export const routes: Record<string, RouteDef> = { getHealth, listPlans, submitContact, getMe };
