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
import * as idempotency from '../shared/http/middleware/idempotency';
import * as problems from '../shared/http/middleware/problems';
import * as validate from '../shared/http/middleware/validate';
import * as routeDef from '../shared/http/route-def';
import { needsAuthorizer, type ProblemAnswer, type RouteDef } from '../shared/http/route-def';
import { Problem } from '../shared/schemas/common';

/** A description for every tag the manifest uses; a tag missing here stops the generator. */
const TAGS: Record<string, string> = {
  public: 'No credential needed: health, the plans, the contact form and support tickets of the marketing site.',
  me: "The signed-in customer's own data, for the customer portal.",
  partner: "The partner portal: a signed-in user linked to an active partner account (activation makes the link).",
  admin: 'The admin dashboard: needs a token with the `admin` permission.',
  privacy:
    "The customer's privacy controls (the portal's token): how long calls are kept and what of them (PATCH /v1/me/settings), deleting one call here and at Vapi, and an export of everything held about the account.",
  webhooks: 'What providers call: each proves itself (Stripe with `Stripe-Signature`, Vapi with `X-Vapi-Secret`, jambonz with `Jambonz-Signature`), not with a token.',
  hotlines:
    'The first-responder hotline service: organisations (members join by accepting an invitation), agent phones, hotlines, call logs, billing records and the SIP account. A user acts on their own resources; an organisation admin on a member\'s only with `organization_id` and the member\'s consent for that organisation; anyone else gets 403, and another organisation\'s ids are not found (404).',
};

const SECURITY_SCHEMES = {
  auth0: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "Auth0 access token (RS256), checked by API Gateway's JWT authorizer (issuer, audience, expiry).",
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
  needsAuthorizer(r) ? 'auth0' : r.access === 'vapi' ? 'vapiSecret' : r.access === 'stripe' ? 'stripeSignature' : r.access === 'jambonz' ? 'jambonzSignature' : undefined;

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
type GatewayAnswer = Omit<ProblemAnswer, 'slugs'> & { message: string; headers?: Record<string, oas31.HeaderObject> };

const gatewayAnswers = (r: RouteDef): GatewayAnswer[] => [
  ...(needsAuthorizer(r)
    ? [
        {
          status: 401,
          message: 'Unauthorized',
          description: "Unauthorized: no valid bearer token (missing, expired, or for another audience). API Gateway's JWT authorizer answers; the function never runs.",
          headers: { 'WWW-Authenticate': { description: 'The bearer challenge.', schema: { type: 'string' } } },
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
  const headers = 'headers' in a ? a.headers : undefined;
  const retry = a.retryAfter && ('Retry-After' in (prior?.headers ?? {}) && !a.ownAnswer ? 'Seconds to wait, when known.' : a.retryAfter);
  out[String(a.status)] = {
    ...prior,
    description: prior ? `${prior.description} ${a.description}` : a.title ? `${a.title}. ${a.description}` : a.description,
    ...(headers || retry ? { headers: { ...prior?.headers, ...headers, ...(retry ? retryAfter(retry) : {}) } } : {}),
    content: {
      ...prior?.content,
      ...(slugs.length > 0 ? problemContent(a.status, [...problemSlugs(prior), ...slugs]) : {}),
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
  'answers itself with `application/json` `{"message": "..."}`: per operation, 401 on routes behind the JWT authorizer,',
  '413 over its 10 MB payload limit, 429 when throttled, 500 when a function crashed or timed out; and, for a method and',
  'path without a route, 404 `{"message": "Not Found"}`, which no operation lists.',
].join(' ');

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

    const responses: ZodOpenApiResponsesObject = {
      [String(r.response.status)]: r.response.body
        ? { description: r.response.description, content: { 'application/json': { schema: r.response.body } } }
        : { description: r.response.description },
      ...(r.response.also
        ? {
            [String(r.response.also.status)]: r.response.body
              ? { description: r.response.also.description, content: { 'application/json': { schema: r.response.body } } }
              : { description: r.response.also.description },
          }
        : {}),
      ...errorResponses(r),
    };

    const op: ZodOpenApiOperationObject = {
      operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: r.tags,
      'x-fonella-access': r.access,
      'x-fonella-handler': r.handler,
      // Public operations say so explicitly: no credential at all.
      security: scheme ? [{ [scheme]: [] }] : [],
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
  });
}

export function openApiYaml(routes: Record<string, RouteDef>): string {
  return `# Generated by \`npm run openapi\` from lib/routes/. Do not edit by hand.\n${stringify(buildOpenApi(routes), { lineWidth: 0 })}`;
}
