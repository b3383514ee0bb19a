// `route(def, impl, ports)`: builds a Lambda handler for one manifest entry on the shared middy stack
// (CORS, logging, the credential check of routes that check their bearer token themselves, problem+json errors, access, the
// account gate, body, validation, and Idempotency-Key on routes the manifest flags `idempotent`). What
// the stack needs from below it comes in as ports: the account state reader of an authenticated route,
// the credential check of one that checks its bearer itself, the idempotency runner of an idempotent one;
// shared/app/ composes them, and a handler file takes its route from there, saying
// only which route it serves and which use case it calls. A route missing a port it needs is refused
// when its handler is built.
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type * as z from '../zod';
import { appConfig } from '../config/app';
import { currentStage } from '../config/define';
import { loadSecrets } from '../config/secrets';
import { logger } from '../observability/logger';
import type { AccountStateReader } from '../domain/account-state';
import type { Caller } from './caller';
import { authorize } from './middleware/access';
import { accountGate } from './middleware/account-gate';
import { jsonBody } from './middleware/body';
import type { CredentialCheck } from './middleware/credentials';
import { idempotencyKey, runIdempotent, type IdempotencyRunner } from './middleware/idempotency';
import { problemResponses } from './middleware/problems';
import { validateRequest } from './middleware/validate';
import type { Reply } from './reply';
import { acceptsApiKeys, checksBearerInFunction, isAuthenticated, type RouteDef } from './route-def';
import { stateOf, stateOfEvent, type HttpEvent } from './state';

// On Lambda without a deployed STAGE the function stops here, at init (config/define.ts).
currentStage();
// The function's provider secrets into process.env, before the handler file's body reads its config.
await loadSecrets();

type Out<S> = S extends z.ZodMiniType ? z.output<S> : undefined;
type Req<R extends RouteDef> = NonNullable<R['request']>;

export interface RouteInput<R extends RouteDef> {
  /** The verified caller; present on every non-public route. */
  caller: R['access'] extends 'user' | 'partner' | 'admin' ? Caller : Caller | undefined;
  body: Out<Req<R>['body']>;
  query: Req<R>['query'] extends z.ZodMiniType ? z.output<Req<R>['query']> : Record<string, never>;
  params: Req<R>['params'] extends z.ZodMiniType ? z.output<Req<R>['params']> : Record<string, never>;
  /** The exact body bytes as text (for signature checks). */
  rawBody: string;
  headers: Record<string, string | undefined>;
  /** API Gateway's request id, also on every log line. */
  requestId: string;
  sourceIp: string;
}

type ReplyOf<R extends RouteDef> = R['response']['body'] extends z.ZodMiniType
  ? Reply<z.input<R['response']['body']>>
  : Reply<never>;

/** What the stack takes from below it (shared/app/ composes them). */
export interface RoutePorts {
  /** Every authenticated route's account gate reads the caller's account state with it. */
  accountState?: AccountStateReader;
  /** An idempotent route keeps its records with it. */
  idempotency?: IdempotencyRunner;
  /** A route that checks its bearer token itself (a JWT, or a key where it takes keys) does so with it (./middleware/credentials.ts `bearerCheck`). */
  credentials?: CredentialCheck;
}

/** A handler for the manifest entry `def`; `impl` gets the validated, typed input. */
export function route<R extends RouteDef>(def: R, impl: (input: RouteInput<R>) => Promise<ReplyOf<R>>, ports: RoutePorts = {}) {
  return buildHandler(def, impl as (input: RouteInput<RouteDef>) => Promise<Reply>, ports);
}

/** The stack for any route definition; `route` is this applied to a manifest entry. */
export function buildHandler(def: RouteDef, impl: (input: RouteInput<RouteDef>) => Promise<Reply>, ports: RoutePorts = {}) {
  const app = appConfig();
  if (def.idempotent && def.uses.table !== 'write') {
    throw new Error(`route ${def.name} is idempotent: its records live in the table, so it must use the table for 'write'`);
  }
  if (def.accountState === 'in-partition-read' && def.idempotent) {
    throw new Error(`route ${def.name} checks the account in its handler's read, but its idempotency record is written before the handler runs: let the stack gate it`);
  }
  if (isAuthenticated(def) && !def.uses.table) {
    throw new Error(`route ${def.name} is authenticated: its stack reads the caller's account state, so it must use the table`);
  }

  const stack = middy<HttpEvent, APIGatewayProxyResultV2>()
    .use(
      httpCors({
        origins: app.corsOrigins,
        headers: 'authorization,content-type,idempotency-key',
        methods: 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
        maxAge: 600,
      }),
    )
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(accessLog(def.name));
  // Before the problem mapper: its refusals are mapped like any, and its onError sees the mapped answer.
  if (checksBearerInFunction(def)) {
    if (!ports.credentials) {
      throw new Error(`route ${def.name} checks its bearer token itself, but was given no credential check: its handler takes its route from shared/app/${acceptsApiKeys(def) ? 'key' : 'admin'}-route.ts`);
    }
    stack.use(ports.credentials(def));
  }
  stack
    .use(problemResponses())
    .use(authorize(def))
    .use(accountGate(def, ports.accountState))
    .use(jsonBody(def))
    .use(validateRequest(def));
  // After access, body and validation: a refused request stores no idempotency record.
  if (def.idempotent) stack.use(idempotencyKey(def, ports.idempotency));

  return stack.handler(async (event: HttpEvent, context: Context) => {
    const state = stateOfEvent(event);
    const input = {
      caller: state.caller,
      body: state.body,
      query: state.query,
      params: state.params,
      rawBody: state.rawBody,
      headers: event.headers,
      requestId: event.requestContext.requestId,
      sourceIp: event.requestContext.http.sourceIp,
    } as RouteInput<RouteDef>;
    const run = async () => serialise(def, await impl(input), app.validateResponses);
    return def.idempotent ? runIdempotent(def, ports.idempotency, event, context, run) : run();
  });
}

function serialise(def: RouteDef, reply: Reply, validate: boolean): APIGatewayProxyResultV2 {
  let body = reply.body;
  if (validate && def.response.body && (reply.status === def.response.status || reply.status === def.response.also?.status)) {
    const checked = def.response.body.safeParse(body);
    if (!checked.success) {
      throw new Error(`response of ${def.method} ${def.path} does not match its schema: ${checked.error.message}`);
    }
    body = checked.data;
  }
  return {
    statusCode: reply.status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...reply.headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

function accessLog(name: string): middy.MiddlewareObj<HttpEvent, APIGatewayProxyResultV2> {
  const done = (request: middy.Request<HttpEvent, APIGatewayProxyResultV2>) => {
    const res = request.response;
    const status = typeof res === 'object' && res !== null ? res.statusCode : undefined;
    const durationMs = Math.round(performance.now() - stateOf(request).startedAt);
    logger.info('request', { route: name, status, durationMs });
  };
  return {
    before: async (request) => {
      stateOf(request).startedAt = performance.now();
      logger.appendKeys({ requestId: request.event.requestContext.requestId, route: name });
    },
    after: async (request) => done(request),
    onError: async (request) => done(request),
  };
}
