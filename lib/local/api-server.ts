// The local API Gateway: turns HTTP requests into HTTP API (payload 2.0) events, applies the checks
// the JWT authorizer would (signature against the Auth0 JWKS, issuer, audience, expiry; 401
// otherwise) on the routes behind it, and invokes the very handler files Lambda runs, loaded once as
// on a cold start. Routes that also take API keys, and the admin routes, have no authorizer, here as on
// AWS: their stack verifies the token itself, with the same JWT checks (shared/crypto/jwt.ts).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { JWTPayload } from 'jose';
import { jwtVerifier, type JwtVerifier } from '../../shared/crypto/jwt';
import { bearerToken } from '../../shared/http/caller';
import { functionTimeoutSeconds, needsAuthorizer, type RouteDef } from '../../shared/http/route-def';
import { handlerLoader, invoke, lambdaContext, withTimeout } from './lambda';
import { LOCAL_KEEP_ALIVE_MS, motionCounter, type Motion } from './emulators/kit';
import type { RequestHandle, Trace } from './trace';

export interface ApiServerOptions {
  routes: Record<string, RouteDef>;
  root: string;
  port?: number;
  jwt: { issuer: string; audience: string; jwksUrl: string };
  corsOrigins: string[];
  /** Called once a handler has answered (what it wrote is on the table's stream: the tailer reads it now). */
  afterInvoke?: () => void;
  /** Records each request: its route, invocation, caller, status and problem type (./trace.ts). */
  trace?: Pick<Trace, 'request'>;
}

export interface RunningApi {
  url: string;
  /** The requests under way, and how many came since the start. */
  motion(): Motion;
  close(): Promise<void>;
}

type LambdaHandler = (event: unknown, context: Context) => Promise<APIGatewayProxyResultV2>;

const PAYLOAD_LIMIT = 10 * 1024 * 1024; // API Gateway's own bound

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApi> {
  const table = Object.entries(opts.routes).map(([name, def]) => ({ name, def, pattern: pathPattern(def.path) }));
  const verify = jwtVerifier(opts.jwt);
  const load = handlerLoader<LambdaHandler>(opts.root);

  const requests = motionCounter();
  const server: Server = createServer(async (req, res) => {
    // Under way until the answer is sent (or the client is gone).
    res.once('close', requests.begin());
    let traced: RequestHandle | undefined;
    // The gateway's own answers: `{message}`, which the trace keeps as the problem.
    const reply = (status: number, body: { message: string }, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
      traced?.end(status, body.message);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      if (method !== 'OPTIONS') {
        traced = opts.trace?.request({ method, path: url.pathname, query: url.search.slice(1) || undefined, caller: `public ${sourceIp(req)}` });
      }
      const body = await readBody(req);
      if (body === undefined) return reply(413, { message: 'Request Entity Too Large' });

      if (method === 'OPTIONS') return preflight(req, res, opts.corsOrigins);
      const candidates = table
        .map((r) => ({ ...r, found: r.pattern.exec(url.pathname) }))
        .filter((r) => r.found !== null)
        .map((r) => ({ ...r, params: r.found?.groups }));
      const match = candidates.find((r) => r.def.method === method);
      if (!match) return reply(404, { message: 'Not Found' });

      let claims: JWTPayload | undefined;
      if (needsAuthorizer(match.def)) {
        claims = await authorizerClaims(req, verify);
        if (!claims) return reply(401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
      }

      const event = toEvent(req, url, method, match, body, claims);
      const handler = await load(match.def.handler);
      // A function that runs out of time is an error to API Gateway, which answers 500.
      const timeoutMs = functionTimeoutSeconds(match.def) * 1000;
      const context = lambdaContext(match.name, timeoutMs);
      traced?.routed({ route: match.name, invocationId: context.awsRequestId, requestId: event.requestContext.requestId, caller: callerOf(match.def, claims, event.requestContext.http.sourceIp) });
      // Under way until the handler ends: one that outlives its time (a 500 already sent) may still write.
      const result = await withTimeout(invoke(context, () => handler(event, context)).finally(requests.begin()), timeoutMs);
      opts.afterInvoke?.();
      if (result === undefined) return reply(500, { message: 'Internal Server Error' });
      const structured: APIGatewayProxyStructuredResultV2 =
        typeof result === 'object' && result !== null && 'statusCode' in result
          ? result
          : { statusCode: 200, body: JSON.stringify(result) };
      const headers = stringHeaders(structured.headers);
      res.writeHead(structured.statusCode ?? 200, headers);
      const out = structured.body ?? '';
      res.end(structured.isBase64Encoded ? Buffer.from(out, 'base64') : out);
      traced?.end(structured.statusCode ?? 200, problemType(headers, out));
    } catch (err) {
      console.error('[api] handler crashed:', err);
      if (!res.headersSent) reply(500, { message: 'Internal Server Error' });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.keepAliveTimeout = LOCAL_KEEP_ALIVE_MS;
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    motion: requests.motion,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * What API Gateway's JWT authorizer lets through: one bearer token (one Authorization header) that
 * passes the checks of shared/crypto/jwt.ts. Anything else is undefined (401).
 */
async function authorizerClaims(req: IncomingMessage, verify: JwtVerifier): Promise<JWTPayload | undefined> {
  const authorizations = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]!.toLowerCase() === 'authorization');
  if (authorizations.length !== 1) return undefined;
  const token = bearerToken(req.headers.authorization);
  return token ? verify(token) : undefined;
}

const sourceIp = (req: IncomingMessage) => (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

/** Who a request came from, for the trace: the token's subject, a webhook's provider, or a public client's address. */
function callerOf(def: RouteDef, claims: JWTPayload | undefined, ip: string): string {
  if (claims?.sub) return claims.sub;
  return def.access === 'public' ? `public ${ip}` : def.access;
}

/** A problem+json answer's `type`. */
function problemType(headers: Record<string, string>, body: string): string | undefined {
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  if (!type.includes('problem+json')) return undefined;
  try {
    const parsed = JSON.parse(body) as { type?: unknown };
    return typeof parsed.type === 'string' ? parsed.type : undefined;
  } catch {
    return undefined;
  }
}

function pathPattern(path: string): RegExp {
  const src = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
  return new RegExp(`^${src}/?$`);
}

/** API Gateway hands claims to the function as strings; arrays become "[a b]". */
function flattenClaims(claims: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims)) {
    out[k] = Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  method: string,
  match: { name: string; def: RouteDef; params?: Record<string, string> },
  body: Buffer,
  claims: JWTPayload | undefined,
) {
  // Payload 2.0 joins a repeated header's values with commas (Node keeps only the first of some, such
  // as Authorization: so the raw lines are read); cookies come apart, in `cookies`.
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i]!.toLowerCase();
    const v = req.rawHeaders[i + 1]!;
    if (k === 'cookie') cookies.push(...v.split(/;\s*/));
    else headers[k] = k in headers ? `${headers[k]},${v}` : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = Date.now();
  const requestId = randomUUID();
  const params = match.params && Object.keys(match.params).length > 0
    ? Object.fromEntries(Object.entries(match.params).map(([k, v]) => [k, decodeURIComponent(v)]))
    : undefined;
  const isText = body.length === 0 || /json|text|x-www-form-urlencoded/.test(headers['content-type'] ?? 'application/json');
  return {
    version: '2.0',
    routeKey: `${match.def.method} ${match.def.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: cookies.length ? cookies : undefined,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: params,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: sourceIp(req),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: `${match.def.method} ${match.def.path}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      ...(claims ? { authorizer: { jwt: { claims: flattenClaims(claims), scopes: null } } } : {}),
    },
    body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !isText,
  };
}


function preflight(req: IncomingMessage, res: ServerResponse, origins: string[]) {
  const origin = req.headers.origin;
  const headers: Record<string, string> = { vary: 'Origin' };
  if (origin && origins.includes(origin)) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-methods'] = 'GET,POST,PUT,PATCH,DELETE,OPTIONS';
    headers['access-control-allow-headers'] = 'authorization,content-type,idempotency-key';
    headers['access-control-max-age'] = '600';
  }
  res.writeHead(204, headers);
  res.end();
}

function stringHeaders(h: APIGatewayProxyStructuredResultV2['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k] = String(v);
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > PAYLOAD_LIMIT) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

