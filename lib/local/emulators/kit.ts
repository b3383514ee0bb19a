// The shared frame of every provider emulator: an HTTP server that hands requests to the emulator's
// routes as web `Request`s, plus the three endpoints every emulator has:
//   GET  /_inspect  its state as JSON, one array per resource kind, newest last
//   POST /_faults   { mode: "error" | "timeout", count, match? } makes the next `count` matching requests fail
//   POST /_reset    forget all state and pending faults
//   GET  /_stats    { requests, byPath: { "<METHOD> <path>": n } }: the provider requests received since
//                   the emulator started (underscore paths not counted; /_reset keeps the counts, so
//                   a reader takes differences, e.g. the bench's provider calls per request)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';

/**
 * How long the local servers (the API, the emulators, the hub) keep an idle connection open: longer
 * than Node's 5 s. A client that reuses a connection the server has just closed gets ECONNRESET, and
 * Node's fetch closes its own idle connections only 2 s before the server's announced timeout: a test
 * process stalled that long on a loaded machine reused a connection the server had closed (CI, once).
 * At 30 s, a connection has to sit idle that long first.
 */
export const LOCAL_KEEP_ALIVE_MS = 30_000;

export interface RouteContext {
  req: Request;
  url: URL;
  params: Record<string, string>;
}
export type RouteHandler = (ctx: RouteContext) => Response | Promise<Response>;

/** Method + path-pattern router; `:name` segments become params, a last `*name` takes the rest of the path (one or more segments). */
export class Router {
  private readonly entries: { method: string; parts: string[]; handler: RouteHandler }[] = [];

  on(method: string, pattern: string, handler: RouteHandler): this {
    this.entries.push({ method: method.toUpperCase(), parts: split(pattern), handler });
    return this;
  }
  get(p: string, h: RouteHandler) {
    return this.on('GET', p, h);
  }
  post(p: string, h: RouteHandler) {
    return this.on('POST', p, h);
  }
  put(p: string, h: RouteHandler) {
    return this.on('PUT', p, h);
  }
  patch(p: string, h: RouteHandler) {
    return this.on('PATCH', p, h);
  }
  delete(p: string, h: RouteHandler) {
    return this.on('DELETE', p, h);
  }

  match(method: string, path: string): { handler: RouteHandler; params: Record<string, string> } | 'method' | undefined {
    const parts = split(path);
    let pathMatched = false;
    for (const e of this.entries) {
      const params = matchParts(e.parts, parts);
      if (!params) continue;
      pathMatched = true;
      if (e.method === method.toUpperCase()) return { handler: e.handler, params };
    }
    return pathMatched ? 'method' : undefined;
  }
}

function split(path: string): string[] {
  return path.split('/').filter(Boolean);
}

function matchParts(pattern: string[], parts: string[]): Record<string, string> | undefined {
  const rest = pattern.at(-1)?.startsWith('*') ? pattern.at(-1)!.slice(1) : undefined;
  if (rest === undefined ? pattern.length !== parts.length : parts.length < pattern.length) return undefined;
  const params: Record<string, string> = {};
  if (rest !== undefined) params[rest] = parts.slice(pattern.length - 1).map(decodeURIComponent).join('/');
  for (let i = 0; i < pattern.length - (rest === undefined ? 0 : 1); i++) {
    const p = pattern[i]!;
    const v = parts[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(v);
    else if (p !== v) return undefined;
  }
  return params;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** What a provider emulator supplies; `startEmulator` adds the server and the underscore endpoints. */
export interface EmulatorDefinition {
  /** Provider name, as used in `.local/stack.json` (`emulators.<name>`). */
  name: string;
  /** The key or login this emulator accepts (listed under `credentials` in `.local/stack.json`). */
  credentials: Record<string, string>;
  /** Environment variables that point Fonella's adapter for this provider at the emulator. */
  env(baseUrl: string): Record<string, string>;
  routes: Router;
  /** State, one array per resource kind, newest last. */
  inspect(): Record<string, unknown>;
  reset(): void;
  /**
   * Checked before every provider route: return a Response (the provider's own 401/403) to refuse
   * the request, or undefined to let it through.
   */
  authorize?(req: Request, url: URL): Response | undefined | Promise<Response | undefined>;
  /** The provider-shaped answer to an injected "error" fault; defaults to a 503 JSON body. */
  faultResponse?(): Response;
  /** Called once the server listens, with its base URL (e.g. to learn its own issuer). */
  onListen?(baseUrl: string): void;
  /**
   * What the emulator does without being asked: work under way or due now that changes its state or
   * calls out (a webhook delivery, a scheduled run), and how much of it has begun. Requests it is
   * asked are not counted here: their caller is (the API, a worker, a test).
   */
  motion?(): Motion;
}

/**
 * What a part of the local stack has under way, for a caller that waits for it to come to rest (the
 * tests' `settle`): work running or due now (`active`), and how much work it has begun since it
 * started (`started`). Two readings with nothing active and the same `started` bracket a stretch of
 * time in which it changed nothing.
 */
export interface Motion {
  active: number;
  started: number;
}

export const sumMotion = (parts: Motion[]): Motion =>
  parts.reduce((sum, m) => ({ active: sum.active + m.active, started: sum.started + m.started }), { active: 0, started: 0 });

/** Counts work begun and under way: `begin()` answers the function that ends it (once). */
export function motionCounter() {
  let active = 0;
  let started = 0;
  return {
    motion: (): Motion => ({ active, started }),
    begin(): () => void {
      active += 1;
      started += 1;
      let ended = false;
      return () => {
        if (!ended) active -= 1;
        ended = true;
      };
    },
  };
}

const faultSchema = z.strictObject({
  mode: z.enum(['error', 'timeout']),
  count: z.number().int().min(1).max(1000).default(1),
  match: z.string().min(1).optional(),
});
type Fault = z.infer<typeof faultSchema>;

/** Provider requests an emulator received since it started; its underscore endpoints are not counted. */
export interface EmulatorStats {
  requests: number;
  /** Per `"<METHOD> <path>"`, e.g. `"POST /v3/mg.example.com/messages"`. */
  byPath: Record<string, number>;
}

export interface RunningEmulator {
  name: string;
  baseUrl: string;
  port: number;
  definition: EmulatorDefinition;
  /** What `GET /_stats` answers, read in-process (a copy). */
  stats(): EmulatorStats;
  close(): Promise<void>;
}

/** A provider request that carried the local trace's header, and what the emulator answered (lib/local/trace.ts). */
export interface TracedExchange {
  /** The header's value, as the caller set it. */
  trace: string;
  status: number;
  /** A JSON answer's `id`: the email, assistant, subscription... the request made or named. */
  resourceId?: string;
}

/** The header the local trace sets on a call to an emulator: `<invocation id> <call id>`. */
export const TRACE_HEADER = 'x-fonella-trace';

export async function startEmulator(
  def: EmulatorDefinition,
  opts: { port?: number; host?: string; onExchange?: (exchange: TracedExchange) => void } = {},
): Promise<RunningEmulator> {
  const host = opts.host ?? '127.0.0.1';
  let faults: Fault[] = [];
  const stats: EmulatorStats = { requests: 0, byPath: {} };
  const snapshot = (): EmulatorStats => ({ requests: stats.requests, byPath: { ...stats.byPath } });
  const held = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error(`[emulator ${def.name}]`, err);
      if (!res.headersSent) send(res, json({ message: 'emulator error' }, 500));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    const method = (req.method ?? 'GET').toUpperCase();
    // Every provider request counts, faulted or refused ones too; the underscore endpoints (these
    // and an emulator's own, like auth0's /_token) are the test harness, not provider calls.
    if (!url.pathname.startsWith('/_')) {
      const key = `${method} ${url.pathname}`;
      stats.requests += 1;
      stats.byPath[key] = (stats.byPath[key] ?? 0) + 1;
    }
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);

    if (url.pathname === '/_inspect' && method === 'GET') return send(res, json(def.inspect()));
    if (url.pathname === '/_stats' && method === 'GET') return send(res, json(snapshot()));
    if (url.pathname === '/_reset' && method === 'POST') {
      def.reset();
      faults = [];
      return send(res, json({ ok: true }));
    }
    if (url.pathname === '/_faults') {
      if (method === 'GET') return send(res, json({ pending: faults }));
      if (method === 'DELETE') {
        faults = [];
        return send(res, json({ pending: faults }));
      }
      if (method === 'POST') {
        let input: unknown;
        try {
          input = JSON.parse(body?.toString('utf8') || '{}');
        } catch {
          return send(res, json({ message: 'body must be JSON' }, 400));
        }
        const parsed = faultSchema.safeParse(input);
        if (!parsed.success) return send(res, json({ message: 'invalid fault', issues: parsed.error.issues }, 400));
        faults.push(parsed.data);
        return send(res, json({ pending: faults }, 201));
      }
    }

    const fault = faults.find((f) => !f.match || url.pathname.includes(f.match) || url.href.includes(f.match));
    if (fault) {
      fault.count -= 1;
      if (fault.count <= 0) faults = faults.filter((f) => f !== fault);
      if (fault.mode === 'timeout') {
        // Never answer: the caller's own timeout must fire. Released when the emulator closes.
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      return send(res, def.faultResponse?.() ?? json({ message: 'Service Unavailable (injected fault)' }, 503));
    }

    const request = new Request(url, {
      method,
      headers: toHeaders(req),
      body: body && body.length > 0 ? body : undefined,
    });
    const denied = await def.authorize?.(request, url);
    if (denied) return send(res, denied);
    const found = def.routes.match(method, url.pathname);
    if (found === undefined) return send(res, json({ message: `No route ${method} ${url.pathname}` }, 404));
    if (found === 'method') return send(res, json({ message: 'Method not allowed' }, 405));
    const response = await found.handler({ req: request, url, params: found.params });
    const trace = req.headers[TRACE_HEADER];
    if (typeof trace === 'string' && opts.onExchange) opts.onExchange({ trace, status: response.status, resourceId: await resourceId(response) });
    return send(res, response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.keepAliveTimeout = LOCAL_KEEP_ALIVE_MS;
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://${host}:${port}`;
  def.onListen?.(baseUrl);

  return {
    name: def.name,
    baseUrl,
    port,
    definition: def,
    stats: snapshot,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The id a JSON answer names: its `id`, or jambonz's `sid` fields. */
async function resourceId(response: Response): Promise<string | undefined> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined;
  try {
    const body = (await response.clone().json()) as Record<string, unknown>;
    for (const key of ['id', 'sid', 'call_sid', 'application_sid', 'phone_number_sid', 'voip_carrier_sid', 'sip_gateway_sid']) {
      if (typeof body[key] === 'string' || typeof body[key] === 'number') return String(body[key]);
    }
    return undefined;
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function toHeaders(req: IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) h.append(k, item);
  }
  return h;
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => (headers[k] = v));
  const buf = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers);
  res.end(buf);
}

/** Reads a bearer token from the Authorization header. */
export function bearer(req: Request): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.get('authorization') ?? '');
  return m?.[1];
}

/** Reads HTTP Basic credentials. */
export function basic(req: Request): { user: string; password: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(req.headers.get('authorization') ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Sequential ids with a prefix, like the providers' own (`r1`, `sub_1`...). */
export function idGenerator(prefix: string) {
  let n = 0;
  return () => `${prefix}${++n}`;
}
