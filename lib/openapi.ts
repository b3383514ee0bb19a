// Builds the OpenAPI 3.1 document from the route manifest and its zod schemas (zod-openapi on top of
// zod 4's own JSON Schema output). `npm run openapi` writes it; a test fails when the file is stale,
// two linters (test/infra/openapi-lint.test.ts) check it, and every integration response is
// validated against it (test/support/openapi-contract.ts).
//
// Error responses are derived from what the handler stack and API Gateway can really answer for a
// route, so the document promises nothing that cannot happen. Each middleware declares its answers
// beside the code that throws them (`answers(def)` in shared/http/middleware/*.ts), the route
// definition those of what a route uses (`answers` in shared/http/route-def.ts), API Gateway's are
// below (`gatewayAnswers`), and a manifest entry adds its handler's (`errors`); `errorResponses` joins
// them per status.
import { stringify } from 'yaml';
import {
  createDocument,
  type ZodOpenApiContentObject,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
  type ZodOpenApiResponsesObject,
  type oas31,
} from 'zod-openapi';
import { PROBLEM_BASE } from '../shared/errors';
import * as access from '../shared/http/middleware/access';
import * as accountGate from '../shared/http/middleware/account-gate';
import * as body from '../shared/http/middleware/body';
import * as credentials from '../shared/http/middleware/credentials';
import * as idempotency from '../shared/http/middleware/idempotency';
import * as problems from '../shared/http/middleware/problems';
import * as validate from '../shared/http/middleware/validate';
import * as routeDef from '../shared/http/route-def';
import { acceptsApiKeys, checksBearerInFunction, needsAuthorizer, type ProblemAnswer, type RouteDef } from '../shared/http/route-def';
import { Problem } from '../shared/schemas/common';
import { WEBHOOK_PAYLOADS } from '../shared/schemas/webhooks';
import { RETRY_SCHEDULE_SECONDS } from '../shared/model/webhook-events';

/** A description for every tag the manifest uses; a tag missing here stops the generator. */
const TAGS: Record<string, string> = {
  public: 'No credential needed: health, the plans, the contact form and support tickets of the marketing site.',
  me: "The signed-in customer's own data, for the customer portal.",
  partner: "The partner portal: a signed-in user linked to an active partner account (activation makes the link).",
  admin: 'The admin dashboard: needs a token with the `admin` permission.',
  developer:
    "The developer API: API keys for a customer's own integrations. `Authorization: Bearer fon_live_…` works wherever an operation lists the `apiKey` scheme, with one of the scopes it names, for the key's own account; everywhere else keys are refused.",
  privacy:
    "The customer's privacy controls (the portal's token): how long calls are kept and what of them (PATCH /v1/me/settings), deleting one call here and at Vapi, and an export of everything held about the account.",
  tools:
    "The customer's custom tools: functions the assistant calls during live calls, answered by the customer's own HTTPS endpoint through Fonella's Vapi webhook, each request signed (Standard Webhooks) with the tool's secret and bounded by its timeout.",
  webhooks: 'What providers call: each proves itself (Stripe with `Stripe-Signature`, Vapi with `X-Vapi-Secret`, jambonz with `Jambonz-Signature`), not with a token.',
  'webhook-endpoints':
    "The customer's webhook endpoints and their delivery log: Fonella POSTs the account's events (the document's `webhooks` section) to them, signed by the Standard Webhooks scheme, retried, logged and replayable.",
  hotlines:
    'The first-responder hotline service: organisations (members join by accepting an invitation), agent phones, hotlines, call logs, billing records and the SIP account. A user acts on their own resources; an organisation admin on a member\'s only with `organization_id` and the member\'s consent for that organisation; anyone else gets 403, and another organisation\'s ids are not found (404).',
};

const SECURITY_SCHEMES = {
  auth0: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "Auth0 access token (RS256), checked by API Gateway's JWT authorizer (issuer, audience, expiry); on the operations that also take API keys and the admin operations, by the function with the same checks (a refusal is then problem+json, and an API key on an admin operation is 403 `api-key-not-accepted`).",
  },
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'fon_live_…',
    description:
      "A developer API key, `fon_live_` and 43 characters, sent as `Authorization: Bearer fon_live_…` (created with `POST /v1/me/api-keys`). It acts for its owner's account, only on the operations that list this scheme, and only with one of the scopes each names (`x-fonella-api-key-scopes`, and its description; else 403 `insufficient-scope`). A deleted key is refused from the next request on (401 `api-key-invalid`), an expired one with 401 `api-key-expired`; each key has a request rate per minute (429 with `Retry-After` and the `RateLimit` fields).",
  },
  vapiSecret: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Vapi-Secret',
    description: 'The shared secret Vapi sends with each server message; the function compares it.',
  },
  stripeSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Stripe-Signature',
    description: 'Stripe webhook signature over the raw body; the function verifies it.',
  },
  jambonzSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Jambonz-Signature',
    description: "jambonz's webhook signature (`t=<unix>,v1=<hex HMAC-SHA256 of \"t.rawBody\">` with the account's webhook secret); the function verifies it.",
  },
} as const;
type SchemeName = keyof typeof SECURITY_SCHEMES;

const schemeOf = (r: RouteDef): SchemeName | undefined =>
  needsAuthorizer(r) || checksBearerInFunction(r) ? 'auth0' : r.access === 'vapi' ? 'vapiSecret' : r.access === 'stripe' ? 'stripeSignature' : r.access === 'jambonz' ? 'jambonzSignature' : undefined;

/**
 * The operation's security: one scheme, or (routes that take keys) the portal's token or a key. The
 * key scopes a route accepts are in `x-fonella-api-key-scopes` and its description, not in the
 * requirement's list: OpenAPI 3.1 allows role names there for an `http` scheme, but the linters read
 * such a list as OAuth scopes the scheme must define.
 */
const securityOf = (r: RouteDef): Record<string, string[]>[] => {
  const scheme = schemeOf(r);
  if (!scheme) return [];
  return acceptsApiKeys(r) ? [{ [scheme]: [] }, { apiKey: [] }] : [{ [scheme]: [] }];
};

/** What an operation that takes keys says of them, after its own description. */
const keyNote = (r: RouteDef) =>
  `API keys: ${r.apiKeyScopes!.length === 1 ? 'a key with the scope' : 'a key with any of the scopes'} ${r.apiKeyScopes!.map((s) => `\`${s}\``).join(', ')} (\`Authorization: Bearer fon_live_…\`), or the portal's token.`;

/** Response headers as the document states them, from their descriptions. */
const headerObjects = (headers: Record<string, string>): Record<string, oas31.HeaderObject> =>
  Object.fromEntries(Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]));

// API Gateway answers some requests itself, before or instead of a function, with this body.
const GatewayError: oas31.SchemaObject = {
  type: 'object',
  properties: { message: { type: 'string' } },
  required: ['message'],
  additionalProperties: false,
  description: 'API Gateway\'s own error body, e.g. `{"message": "Unauthorized"}`.',
};

const ref = (name: 'Problem' | 'GatewayError') => ({ $ref: `#/components/schemas/${name}` });

/** problem+json narrowed to the status and the `type` slugs the stack can give for it. */
const problemContent = (status: number, slugs: string[]): ZodOpenApiContentObject => ({
  'application/problem+json': {
    schema: {
      allOf: [
        ref('Problem'),
        { type: 'object', properties: { type: { enum: slugs.map((s) => PROBLEM_BASE + s) }, status: { const: status } } },
      ],
    },
  },
});

/** The slugs `problemContent` put in a response, to extend them. */
const problemSlugs = (res: ZodOpenApiResponseObject | undefined): string[] => {
  const schema = res?.content?.['application/problem+json']?.schema as { allOf?: { properties?: { type?: { enum?: string[] } } }[] } | undefined;
  return (schema?.allOf?.[1]?.properties?.type?.enum ?? []).map((t) => t.slice(PROBLEM_BASE.length));
};

const gatewayContent = (message: string): ZodOpenApiContentObject => ({
  'application/json': { schema: { allOf: [ref('GatewayError'), { type: 'object', properties: { message: { const: message } } }] } },
});

const retryAfter = (description: string) => ({ 'Retry-After': { description, schema: { type: 'integer', minimum: 0 } } }) as const;

/** The Idempotency-Key header of routes the manifest flags `idempotent` (shared/http/middleware/idempotency.ts). */
const IDEMPOTENCY_KEY_PARAMETER: oas31.ParameterObject = {
  in: 'header',
  name: 'Idempotency-Key',
  required: false,
  description: [
    `A key of the client's choosing (${idempotency.IDEMPOTENCY_KEY_RULE}; a UUID will do) that makes a retry safe:`,
    'the same key with the same request within 24 hours gets the first answer again, and the request runs once.',
    'The same key with another request: 422. Without the header the request runs each time it is sent.',
    "A key is its sender's: a signed-in caller's, or, without a token, the client address's (an IPv6 client's /64); the same key from another address is another request.",
  ].join(' '),
  schema: { type: 'string', minLength: 1, maxLength: idempotency.IDEMPOTENCY_KEY_MAX, pattern: '^[\\x20-\\x7e]+$' },
};

/** An answer API Gateway gives itself, in its own body (`message`), before or instead of the function. */
type GatewayAnswer = Omit<ProblemAnswer, 'slugs'> & { message: string };

const gatewayAnswers = (r: RouteDef): GatewayAnswer[] => [
  ...(needsAuthorizer(r)
    ? [
        {
          status: 401,
          message: 'Unauthorized',
          description:
            "Unauthorized: no valid bearer token (missing, expired, for another audience, or an API key: this route takes the portal's token only). API Gateway's JWT authorizer answers; the function never runs.",
          headers: { 'WWW-Authenticate': 'The bearer challenge.' },
        } satisfies GatewayAnswer,
      ]
    : []),
  { status: 413, message: 'Request Entity Too Large', description: 'Over 10 MB, API Gateway answers with its own body.' },
  // Every route is throttled (the stage's default rate and burst, the account's limits).
  { status: 429, message: 'Too Many Requests', description: "Too many requests: API Gateway's throttling answers with its own body; the function never runs." },
  { status: 500, message: 'Internal Server Error', description: "API Gateway's own body when the function crashed or timed out." },
];

/**
 * The request stack's declarations (shared/http/route.ts builds the stack; each middleware declares
 * what it answers beside the code that throws it, `answers(def)`, and gives none for a route it does
 * not apply to) and the route definition's for what the route uses. Their order is the order of the
 * problem types and sentences within one status.
 */
export const STACK_ANSWERS: ((r: RouteDef) => ProblemAnswer[])[] = [
  validate.answers,
  body.answers,
  credentials.answers,
  access.answers,
  problems.answers,
  routeDef.answers,
  idempotency.answers,
  accountGate.answers,
];

/**
 * Adds one answer to the responses: the first of a status opens it (with its title), the next ones
 * add their sentence, problem types, media type and headers. Retry-After is the answer's own; where
 * two answers of the stack give one on a status it is "when known", and a route's own answer says
 * what it means for that route.
 */
function addAnswer(out: Record<string, ZodOpenApiResponseObject>, a: (ProblemAnswer | GatewayAnswer) & { ownAnswer?: true }) {
  const prior = out[String(a.status)];
  const slugs = 'slugs' in a ? a.slugs : [];
  const headers = a.headers ? headerObjects(a.headers) : undefined;
  const retry = a.retryAfter && ('Retry-After' in (prior?.headers ?? {}) && !a.ownAnswer ? 'Seconds to wait, when known.' : a.retryAfter);
  out[String(a.status)] = {
    ...prior,
    description: prior ? `${prior.description} ${a.description}` : a.title ? `${a.title}. ${a.description}` : a.description,
    ...(headers || retry ? { headers: { ...prior?.headers, ...headers, ...(retry ? retryAfter(retry) : {}) } } : {}),
    content: {
      ...prior?.content,
      ...(slugs.length > 0 ? problemContent(a.status, [...new Set([...problemSlugs(prior), ...slugs])]) : {}),
      ...('message' in a ? gatewayContent(a.message) : {}),
    },
  };
}

/** The error responses the stack (shared/http/route.ts), API Gateway and the handler can give for `r`. */
export function errorResponses(r: RouteDef): Record<string, ZodOpenApiResponseObject> {
  const out: Record<string, ZodOpenApiResponseObject> = {};
  for (const a of STACK_ANSWERS.flatMap((answers) => answers(r))) addAnswer(out, a);
  for (const a of gatewayAnswers(r)) addAnswer(out, a);
  // What the handler itself answers, as its manifest entry declares (`errors`).
  for (const a of r.errors ?? []) addAnswer(out, { ...a, ownAnswer: true });
  return out;
}

const GATEWAY_NOTE = [
  'Errors are `application/problem+json` (RFC 9457) with `type` `urn:fonella:problem:<slug>`, except where API Gateway',
  'answers itself with `application/json` `{"message": "..."}`: per operation, 401 on routes behind the JWT authorizer (an API key',
  'there is refused so too: it is no JWT; the admin routes have none, and answer a key with 403 `api-key-not-accepted`),',
  '413 over its 10 MB payload limit, 429 when throttled, 500 when a function crashed or timed out; and, for a method and',
  'path without a route, 404 `{"message": "Not Found"}`, which no operation lists.',
].join(' ');

/** How every webhook we send is signed and retried: the description of each entry of `webhooks`. */
const WEBHOOK_NOTE = [
  'POSTed as JSON to each endpoint subscribed to the type (`/v1/me/webhooks`), with the Standard Webhooks headers:',
  '`webhook-id` (the event\'s id, the same on every attempt and resend: drop repeats by it), `webhook-timestamp` (Unix seconds of the attempt),',
  '`webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per secret, space-separated; two during a rotation).',
  'Verify it with the `standardwebhooks` package and the endpoint\'s `whsec_` secret.',
  `A 2xx within 15 s is success; anything else is retried after ${RETRY_SCHEDULE_SECONDS.slice(1).map((s) => (s < 60 ? `${s} s` : s < 3600 ? `${s / 60} min` : `${s / 3600} h`)).join(', ')}.`,
  'At least once, and not necessarily in order: `timestamp` is when it happened.',
].join(' ');

/** The Standard Webhooks headers every delivery carries. */
const WEBHOOK_HEADERS: oas31.ParameterObject[] = [
  { name: 'webhook-id', in: 'header', required: true, description: "The event's id (`msg_...`): the same on every attempt, retry and recovery.", schema: { type: 'string' } },
  { name: 'webhook-timestamp', in: 'header', required: true, description: 'Unix seconds of this attempt: refuse one far from now (the package allows 5 minutes).', schema: { type: 'string' } },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description: '`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, one per secret, space-separated (two for a day after a rotation).',
    schema: { type: 'string' },
  },
];

/** The catalogue of events we send (OpenAPI 3.1 `webhooks`), each with its payload's schema. */
function webhookCatalogue(): ZodOpenApiPathsObject {
  return Object.fromEntries(
    Object.entries(WEBHOOK_PAYLOADS).map(([type, schema]) => [
      type,
      {
        post: {
          operationId: `webhook:${type}`,
          summary: `The \`${type}\` event`,
          description: WEBHOOK_NOTE,
          tags: ['webhook-endpoints'],
          // We call the customer: no credential of theirs; the signature headers prove the sender.
          security: [],
          parameters: WEBHOOK_HEADERS,
          requestBody: { required: true, content: { 'application/json': { schema } } },
          responses: {
            '200': { description: 'Any 2xx: received. Anything else, or no answer within 15 s, is retried.' },
          },
        },
      },
    ]),
  ) as ZodOpenApiPathsObject;
}

export function buildOpenApi(routes: Record<string, RouteDef>) {
  const paths: ZodOpenApiPathsObject = {};
  const tags: string[] = [];
  const schemes = new Set<SchemeName>();

  for (const [operationId, r] of Object.entries(routes)) {
    for (const t of r.tags) {
      if (!(t in TAGS)) throw new Error(`route ${operationId} uses tag "${t}": describe it in TAGS (lib/openapi.ts)`);
      if (!tags.includes(t)) tags.push(t);
    }
    const scheme = schemeOf(r);
    if (scheme) schemes.add(scheme);
    if (acceptsApiKeys(r)) schemes.add('apiKey');
    // A key's answers carry its rate limit's fields.
    const successHeaders = acceptsApiKeys(r) ? { headers: headerObjects(credentials.RATE_LIMIT_HEADERS) } : {};

    const responses: ZodOpenApiResponsesObject = {
      [String(r.response.status)]: r.response.body
        ? { description: r.response.description, ...successHeaders, content: { 'application/json': { schema: r.response.body } } }
        : { description: r.response.description, ...successHeaders },
      ...(r.response.also
        ? {
            [String(r.response.also.status)]: r.response.body
              ? { description: r.response.also.description, ...successHeaders, content: { 'application/json': { schema: r.response.body } } }
              : { description: r.response.also.description, ...successHeaders },
          }
        : {}),
      ...errorResponses(r),
    };

    const op: ZodOpenApiOperationObject = {
      operationId,
      summary: r.summary,
      ...(r.description || acceptsApiKeys(r)
        ? { description: [r.description, acceptsApiKeys(r) ? keyNote(r) : undefined].filter(Boolean).join('\n\n') }
        : {}),
      ...(acceptsApiKeys(r) ? { 'x-fonella-api-key-scopes': [...r.apiKeyScopes!] } : {}),
      tags: r.tags,
      'x-fonella-access': r.access,
      'x-fonella-handler': r.handler,
      // Public operations say so explicitly: no credential at all.
      security: securityOf(r),
      ...(r.request?.query || r.request?.params
        ? { requestParams: { ...(r.request.query ? { query: r.request.query } : {}), ...(r.request.params ? { path: r.request.params } : {}) } }
        : {}),
      ...(r.idempotent ? { parameters: [IDEMPOTENCY_KEY_PARAMETER] } : {}),
      // The stack validates a missing body as `{}`: a body that `{}` satisfies may be left out.
      ...(r.request?.body
        ? { requestBody: { required: r.request.raw === true || !r.request.body.safeParse({}).success, content: { 'application/json': { schema: r.request.body } } } }
        : {}),
      responses,
    } as ZodOpenApiOperationObject;
    paths[r.path] = { ...paths[r.path], [r.method.toLowerCase()]: op };
  }

  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Fonella API',
      version: '1.0.0',
      description: `Backend of Fonella, the AI phone assistant for small businesses. Generated from lib/routes/.\n\n${GATEWAY_NOTE}`,
      contact: { name: 'Fonella', url: 'https://www.fonella.app', email: 'support@fonella.app' },
      // Private code, no public licence: an SPDX LicenseRef says exactly that.
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'Local stack (npm start)' }],
    tags: tags.map((name) => ({ name, description: TAGS[name] })),
    components: {
      schemas: { Problem, GatewayError },
      securitySchemes: Object.fromEntries([...schemes].sort().map((s) => [s, SECURITY_SCHEMES[s]])),
    },
    paths,
    webhooks: webhookCatalogue(),
  });
}

export function openApiYaml(routes: Record<string, RouteDef>): string {
  return `# Generated by \`npm run openapi\` from lib/routes/. Do not edit by hand.\n${stringify(buildOpenApi(routes), { lineWidth: 0 })}`;
}
