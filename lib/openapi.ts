// Builds the OpenAPI 3.1 document from the route manifest and its zod schemas (zod-openapi on top of
// zod 4's own JSON Schema output). `npm run openapi` writes it; a test fails when the file is stale,
// two linters (test/infra/openapi-lint.test.ts) check it, and every integration response is
// validated against it (test/support/openapi-contract.ts).
//
// Error responses are derived from what the handler stack (shared/http/middleware/*) and API Gateway
// can really answer for a route, so the document promises nothing that cannot happen.
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
import {
  AccountBeingDeletedError,
  AccountDeletedError,
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  KeyServiceUnavailableError,
  PROBLEM_BASE,
  PayloadTooLargeError,
  ProviderError,
  TableUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  type ProviderFailure,
} from '../shared/errors';
import { IDEMPOTENCY_KEY_MAX } from '../shared/http/middleware/idempotency';
import { needsAuthorizer, type RouteDef } from '../shared/http/route-def';
import { Problem } from '../shared/schemas/common';

/** A description for every tag the manifest uses; a tag missing here stops the generator. */
const TAGS: Record<string, string> = {
  public: 'No credential needed: health, the plans, the contact form and support tickets of the marketing site.',
  me: "The signed-in customer's own data, for the customer portal.",
  partner: "The partner portal: a signed-in user linked to an active partner account (activation makes the link).",
  admin: 'The admin dashboard: needs a token with the `admin` permission.',
  webhooks: 'What providers call: each proves itself (Stripe with `Stripe-Signature`, Vapi with `X-Vapi-Secret`, jambonz with `Jambonz-Signature`), not with a token.',
  hotlines:
    'The first-responder hotline service: organisations, agent phones, hotlines, call logs, billing records and the SIP account. A user acts on their own resources; an organisation admin on a member\'s only with `organization_id` and the member\'s consent; anyone else gets 403, and another organisation\'s ids are not found (404).',
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

const code = (slugs: string[]) => slugs.map((s) => `\`${s}\``).join(', ');

// Provider failures: statuses and slugs come from ProviderError itself (the record keeps the list
// exhaustive at compile time).
const PROVIDER_FAILURES = Object.keys({
  'not-found': 1,
  conflict: 1,
  'rate-limited': 1,
  unavailable: 1,
  rejected: 1,
} satisfies Record<ProviderFailure, 1>) as ProviderFailure[];
const providerSlugs = (status: number) =>
  PROVIDER_FAILURES.map((f) => new ProviderError('vapi', 'probe', f)).filter((e) => e.status === status).map((e) => e.slug);

// Slugs the middleware throws; the literal ones are written in shared/http/middleware/*.ts.
const SLUG = {
  validation: new ValidationError([]).slug,
  malformedJson: 'malformed-json',
  unexpectedBody: 'unexpected-body',
  tooLarge: new PayloadTooLargeError(0).slug,
  mediaType: new UnsupportedMediaTypeError().slug,
  unauthorized: new UnauthorizedError().slug,
  adminRequired: 'admin-required',
  partnerRequired: 'partner-required',
  internal: 'internal',
  idempotencyReused: new IdempotencyKeyReusedError().slug,
  idempotencyInProgress: new IdempotencyInProgressError().slug,
  tableUnavailable: new TableUnavailableError('probe').slug,
  keyServiceUnavailable: new KeyServiceUnavailableError().slug,
};

const idempotencyKeyRule = `1 to ${IDEMPOTENCY_KEY_MAX} printable ASCII characters`;
const retryAfter = (description: string) => ({ 'Retry-After': { description, schema: { type: 'integer', minimum: 0 } } }) as const;

/** The Idempotency-Key header of routes the manifest flags `idempotent` (shared/http/middleware/idempotency.ts). */
const IDEMPOTENCY_KEY_PARAMETER: oas31.ParameterObject = {
  in: 'header',
  name: 'Idempotency-Key',
  required: false,
  description: [
    `A key of the client's choosing (${idempotencyKeyRule}; a UUID will do) that makes a retry safe:`,
    'the same key with the same request within 24 hours gets the first answer again, and the request runs once.',
    'The same key with another request: 422. Without the header the request runs each time it is sent.',
  ].join(' '),
  schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX, pattern: '^[\\x20-\\x7e]+$' },
};

/** The error responses the stack (shared/http/route.ts) and API Gateway can give for `r`. */
export function errorResponses(r: RouteDef): Record<string, ZodOpenApiResponseObject> {
  const req = r.request;
  const parsesBody = Boolean(req?.body) && !req?.raw;
  const out: Record<string, ZodOpenApiResponseObject> = {};

  // middleware/body.ts (JSON, or no body at all) and middleware/validate.ts (schemas).
  const bad: { slug: string; why: string }[] = [];
  // Every route can give it: one without a query schema refuses any query parameter.
  bad.push({
    slug: SLUG.validation,
    why: `fields or query parameters are invalid or unknown${r.idempotent ? `, or the \`Idempotency-Key\` header is not ${idempotencyKeyRule}` : ''}, and \`errors\` names each one`,
  });
  if (parsesBody) bad.push({ slug: SLUG.malformedJson, why: 'the body is not valid JSON' });
  if (!req?.body && !req?.raw) bad.push({ slug: SLUG.unexpectedBody, why: 'a body was sent, and this operation takes none' });
  if (bad.length > 0) {
    out['400'] = {
      description: `Bad request. ${bad.map((b) => `\`${b.slug}\`: ${b.why}.`).join(' ')}`,
      content: problemContent(400, bad.map((b) => b.slug)),
    };
  }

  if (needsAuthorizer(r)) {
    out['401'] = {
      description: "Unauthorized: no valid bearer token (missing, expired, or for another audience). API Gateway's JWT authorizer answers; the function never runs.",
      headers: { 'WWW-Authenticate': { description: 'The bearer challenge.', schema: { type: 'string' } } },
      content: gatewayContent('Unauthorized'),
    };
  } else if (r.access === 'vapi' || r.access === 'stripe' || r.access === 'jambonz') {
    const header =
      r.access === 'vapi' ? '`X-Vapi-Secret` is missing or wrong' : r.access === 'jambonz' ? '`Jambonz-Signature` is missing, wrong or older than five minutes; nothing was stored' : '`Stripe-Signature` is missing';
    out['401'] = { description: `Unauthorized. \`${SLUG.unauthorized}\`: ${header}.`, content: problemContent(401, [SLUG.unauthorized]) };
  }

  // middleware/access.ts: admin and partner routes need their permission in the token.
  if (r.access === 'admin' || r.access === 'partner') {
    const slug = r.access === 'admin' ? SLUG.adminRequired : SLUG.partnerRequired;
    out['403'] = {
      description: `Forbidden. \`${slug}\`: the token lacks the \`${r.access}\` permission.`,
      content: problemContent(403, [slug]),
    };
  }

  // The bound is checked on any body, whether or not the route takes one.
  const bound = req?.maxBodyBytes === undefined ? 'the configured bound, MAX_BODY_BYTES' : `${req.maxBodyBytes} bytes`;
  out['413'] = {
    description: `Body too large. \`${SLUG.tooLarge}\`: it exceeds ${bound}. Over 10 MB, API Gateway answers with its own body.`,
    content: { ...problemContent(413, [SLUG.tooLarge]), ...gatewayContent('Request Entity Too Large') },
  };

  if (parsesBody) {
    out['415'] = {
      description: `Unsupported media type. \`${SLUG.mediaType}\`: the body is not declared as JSON in UTF-8 (another \`Content-Type\` or charset).`,
      content: problemContent(415, [SLUG.mediaType]),
    };
  }

  // API Gateway throttles every route (the stage's default rate and burst, the account's limits).
  out['429'] = {
    description: "Too many requests: API Gateway's throttling answers with its own body; the function never runs.",
    content: gatewayContent('Too Many Requests'),
  };

  out['500'] = {
    description: `Unexpected error. \`${SLUG.internal}\` from the function; API Gateway's own body when the function crashed or timed out.`,
    content: { ...problemContent(500, [SLUG.internal]), ...gatewayContent('Internal Server Error') },
  };

  if (r.uses.providers?.length) {
    out['502'] = {
      description: `A provider failed: ${code(providerSlugs(502))}. \`detail\` names the provider and its operation.`,
      content: problemContent(502, providerSlugs(502)),
    };
    out['503'] = {
      description: `A provider's rate limit was reached: ${code(providerSlugs(503))}.`,
      headers: {
        'Retry-After': { description: 'Seconds to wait, when the provider said.', schema: { type: 'integer', minimum: 0 } },
      },
      content: problemContent(503, providerSlugs(503)),
    };
  }

  // middleware/idempotency.ts: a key still in use, or reused for another request.
  if (r.idempotent) {
    out['409'] = {
      description: `Conflict. \`${SLUG.idempotencyInProgress}\`: the first request with this \`Idempotency-Key\` is still running; retry after \`Retry-After\` seconds for its answer.`,
      headers: retryAfter('Seconds to wait before retrying.'),
      content: problemContent(409, [SLUG.idempotencyInProgress]),
    };
    out['422'] = {
      description: `Unprocessable. \`${SLUG.idempotencyReused}\`: this \`Idempotency-Key\` came with another request (body or parameters); nothing ran. Use a new key for a new request.`,
      content: problemContent(422, [SLUG.idempotencyReused]),
    };
  }

  // shared/crypto/envelope.ts: KMS gave no data key; nothing was stored.
  if (r.uses.payoutKey) {
    const prior = out['503'];
    out['503'] = {
      description: `${prior ? `${prior.description} ` : 'Service unavailable. '}\`${SLUG.keyServiceUnavailable}\`: the key service did not answer; nothing was stored. Retry after \`Retry-After\` seconds.`,
      headers: retryAfter('Seconds to wait before retrying.'),
      content: problemContent(503, [...problemSlugs(prior), SLUG.keyServiceUnavailable]),
    };
  }

  // shared/db/client.ts: the table did not answer in time (or refused, or throttled), retries included.
  if (r.uses.table) {
    const prior = out['503'];
    const retry = r.idempotent ? ' with the same `Idempotency-Key` (the write may have happened)' : '';
    out['503'] = {
      description: `${prior ? `${prior.description} ` : 'Service unavailable. '}\`${SLUG.tableUnavailable}\`: the table did not answer in time; retry after \`Retry-After\` seconds${retry}.`,
      headers: retryAfter(prior ? 'Seconds to wait, when known.' : 'Seconds to wait before retrying.'),
      content: problemContent(503, [...problemSlugs(prior), SLUG.tableUnavailable]),
    };
  }

  // middleware/account-gate.ts: the caller's account is being deleted, or was deleted.
  if (needsAuthorizer(r)) {
    const gate = [
      { status: 409, slug: new AccountBeingDeletedError().slug, why: "the caller's account is being deleted: nothing is accepted meanwhile" },
      { status: 410, slug: new AccountDeletedError().slug, why: "the caller's account was deleted (a token issued before stays refused until it expires)" },
    ];
    for (const g of gate) {
      const prior = out[String(g.status)];
      out[String(g.status)] = {
        ...prior,
        description: `${prior ? `${prior.description} ` : g.status === 409 ? 'Conflict. ' : 'Gone. '}\`${g.slug}\`: ${g.why}.`,
        content: { ...prior?.content, ...problemContent(g.status, [...problemSlugs(prior), g.slug]) },
      };
    }
  }

  // What the handler itself answers, as its manifest entry declares (`errors`); merged into a status
  // the stack already gives, so that response lists every slug.
  for (const e of r.errors ?? []) {
    const prior = out[String(e.status)];
    out[String(e.status)] = {
      ...prior,
      description: prior ? `${prior.description} ${e.description}` : e.description,
      ...(e.retryAfter ? { headers: { ...prior?.headers, ...retryAfter(e.retryAfter) } } : {}),
      content: { ...prior?.content, ...problemContent(e.status, [...problemSlugs(prior), ...e.slugs]) },
    };
  }
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
