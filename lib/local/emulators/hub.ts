// The emulator hub: a console for a person at GET /. Emails as a list with the selected one
// rendered (as in Mailpit), the calls placed, the resources provisioned and the stream records the
// workers gave up on (parked, each with a re-drive button), per provider, newest first; the page
// re-renders itself from /_inspect every two seconds and keeps the selected email (by id, also in
// `?mail=`). The view is hub-view.ts, on the server for the first paint and bundled for the browser.
//   GET  /_inspect           every emulator's state in one object, `accounts.teardowns` (the account
//                            deletions, with their steps), `pool.waiting` (the users waiting for a
//                            pool number, oldest first), `webhooks.deliveries` (the webhook deliveries
//                            with their attempts), `streams.parked` and `timeline.invocations`
//                            (the last requests and the worker runs they led to, lib/local/trace.ts);
//                            `?only=emulators`: the emulators' states and `streams.parked` alone, without
//                            what is read from the table or the timeline (what a test snapshot compares)
//   GET  /?path=&status=&user=   the page with the request timeline filtered (the page's filter fields)
//   POST /_streams/redrive   { id? }: hands parked records back to their workers
//   POST /_stripe/simulate/payment-succeeded|payment-failed   { subscriptionId } (JSON or the page's
//                            form): forwarded to the Stripe emulator's /_simulate hook, its answer back
//   POST /_stripe/simulate/advance-clock   { clockId } (JSON or the page's form): the test clock advanced
//                            by one month (the Stripe emulator's /_simulate/advance-clock), its answer back
//   POST /_vapi/simulate/end-of-call   { assistantId } (JSON or the page's form): forwarded to the Vapi
//                            emulator's /_simulate/end-of-call (the assistant's server URL gets the report)
//   POST /_vapi/simulate/tool-call   { assistantId, name } (JSON or the page's form): the model calls the
//                            assistant's tool `name` with example arguments (the Vapi emulator's
//                            /_simulate/tool-call; the tool's server URL gets the tool-calls message)
//   POST /_jambonz/simulate/inbound   { to } (JSON or the page's form): forwarded to the jambonz emulator's
//                            /_simulate/inbound (a call to that number runs through its application's hooks)
//   GET  /docs               the API reference (hub-docs.ts); /openapi.yaml the document it shows
// It listens on 127.0.0.1 and answers only requests addressed to it by a local name: `Host` must be
// 127.0.0.1, localhost or [::1] with its port (else 403), so a web page whose name an attacker rebinds
// to 127.0.0.1 (DNS rebinding) cannot read /docs (it holds the demo tokens) or /_inspect. A POST (or
// any method but GET, HEAD and OPTIONS) that carries an `Origin` must come from the hub's own origin
// under one of those names (else 403), so another site's page cannot post the hub's forms or proxy
// requests through it; a request without `Origin` (curl, scripts) is taken.
import { createReadStream, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { RECAPTCHA_ACTIONS } from '../../../shared/model/recaptcha-actions';
import type { ParkedRecord } from '../streams';
import type { Invocation } from '../trace';
import { docsPage, proxyToApi, SPEC_FILE, viewerBundle, type HubDocs } from './hub-docs';
import { esc, fingerprint, PARTS, render, type InspectData, type TimelineFilter } from './hub-view';
import { LOCAL_KEEP_ALIVE_MS, type RunningEmulator } from './kit';

export type { HubDocs } from './hub-docs';

/** The part of the local stream runtime the hub shows and drives. */
export interface HubStreams {
  parked(): ParkedRecord[];
  redrive(id?: string): number;
}

export interface RunningHub {
  url: string;
  close(): Promise<void>;
}

export interface HubOptions {
  port?: number;
  streams?: HubStreams;
  /** Account deletions under way and done (the table's TEARDOWN records), shown as `accounts.teardowns`. */
  teardowns?: () => Promise<Record<string, unknown>[]>;
  /** The users waiting for a pool number, oldest first (the table's POOL_WAITING rows), shown as `pool.waiting`. */
  poolWaiting?: () => Promise<Record<string, unknown>[]>;
  /** The webhook deliveries, oldest first, each with its attempts (lib/local/webhook-log.ts), shown as `webhooks.deliveries`. */
  webhookDeliveries?: () => Promise<Record<string, unknown>[]>;
  /**
   * The local API and the demo tokens, for the API reference's "try it". Read at each request, so
   * a caller that starts the API after the hub may pass getters; one that throws counts as not yet there.
   */
  docs?: HubDocs;
  /** The last requests and the worker runs they led to (lib/local/trace.ts `timeline`), shown as `timeline.invocations`. */
  timeline?: () => Invocation[];
}

export async function startHub(emulators: RunningEmulator[], opts: HubOptions = {}): Promise<RunningHub> {
  const inspect = async (only?: string | null): Promise<InspectData> => {
    const state = Object.fromEntries(emulators.map((e) => [e.name, e.definition.inspect()]));
    const parked = (opts.streams?.parked() ?? []).map(({ record: _raw, ...rest }) => rest);
    if (only === 'emulators') return { ...state, streams: { parked } };
    const teardowns = opts.teardowns ? await opts.teardowns().catch(() => []) : undefined;
    const waiting = opts.poolWaiting ? await opts.poolWaiting().catch(() => []) : undefined;
    const deliveries = opts.webhookDeliveries ? await opts.webhookDeliveries().catch(() => []) : undefined;
    const data: InspectData = {
      ...state,
      ...(teardowns ? { accounts: { teardowns } } : {}),
      ...(waiting ? { pool: { waiting } } : {}),
      ...(deliveries ? { webhooks: { deliveries } } : {}),
      streams: { parked },
    };
    if (opts.timeline) data.timeline = { invocations: opts.timeline() };
    return data;
  };
  const docs = (): HubDocs | undefined => {
    try {
      return opts.docs && { apiUrl: opts.docs.apiUrl, tokens: { ...opts.docs.tokens }, apiKey: opts.docs.apiKey };
    } catch {
      return undefined;
    }
  };

  let port = 0;
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const refusal = foreignRequest(req, method, port);
    if (refusal) {
      res.writeHead(403, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ message: refusal }));
    }
    if (url.pathname === '/_inspect') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return void res.end(JSON.stringify(await inspect(url.searchParams.get('only'))));
    }
    if (url.pathname === '/_streams/redrive' && method === 'POST') {
      const fromPage = (req.headers['content-type'] ?? '').includes('form-urlencoded');
      const input = readInput(await readText(req), fromPage);
      if (input === undefined) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ message: 'body must be JSON: { "id"?: string }' }));
      }
      const redriven = opts.streams?.redrive(input.value || undefined) ?? 0;
      if (fromPage) {
        res.writeHead(303, { location: '/' });
        return void res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ redriven }));
    }
    // The Stripe subscription rows' buttons.
    const simulation = /^\/_stripe\/simulate\/(payment-succeeded|payment-failed)$/.exec(url.pathname)?.[1];
    if (simulation && method === 'POST') {
      const stripe = emulators.find((e) => e.name === 'stripe');
      if (!stripe) return notFound(res, 'no Stripe emulator');
      return forwardSimulation(req, res, `${stripe.baseUrl}/_simulate/${simulation}`, 'subscriptionId');
    }
    // The Stripe test clock rows' button: a month passes for the clock's customers.
    if (url.pathname === '/_stripe/simulate/advance-clock' && method === 'POST') {
      const stripe = emulators.find((e) => e.name === 'stripe');
      if (!stripe) return notFound(res, 'no Stripe emulator');
      return forwardSimulation(req, res, `${stripe.baseUrl}/_simulate/advance-clock`, 'clockId', { by: 'month' });
    }
    // The Vapi assistant rows' button.
    if (url.pathname === '/_vapi/simulate/end-of-call' && method === 'POST') {
      const vapi = emulators.find((e) => e.name === 'vapi');
      if (!vapi) return notFound(res, 'no Vapi emulator');
      return forwardSimulation(req, res, `${vapi.baseUrl}/_simulate/end-of-call`, 'assistantId');
    }
    // The Vapi assistant rows' button per custom tool.
    if (url.pathname === '/_vapi/simulate/tool-call' && method === 'POST') {
      const vapi = emulators.find((e) => e.name === 'vapi');
      if (!vapi) return notFound(res, 'no Vapi emulator');
      return forwardSimulation(req, res, `${vapi.baseUrl}/_simulate/tool-call`, 'assistantId', {}, 'name', (name) => ({ calls: [{ name }] }));
    }
    // The jambonz phone number rows' button: an inbound call to the number.
    if (url.pathname === '/_jambonz/simulate/inbound' && method === 'POST') {
      const jambonz = emulators.find((e) => e.name === 'jambonz');
      if (!jambonz) return notFound(res, 'no jambonz emulator');
      return forwardSimulation(req, res, `${jambonz.baseUrl}/_simulate/inbound`, 'to');
    }
    if (url.pathname === '/' && (method === 'GET' || method === 'HEAD')) {
      const filter: TimelineFilter = { path: url.searchParams.get('path') ?? '', status: url.searchParams.get('status') ?? '', user: url.searchParams.get('user') ?? '' };
      const html = page(emulators, await inspect(), url.searchParams.get('mail'), await clientScript(), docs(), filter);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(html);
    }
    if (url.pathname === '/docs' && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(docsPage(docs()));
    }
    if (url.pathname === '/docs/scalar.js' && (method === 'GET' || method === 'HEAD')) {
      const viewer = viewerBundle();
      if (!viewer) return notFound(res, 'the viewer is not installed: run npm ci');
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' });
      return void createReadStream(viewer.file).pipe(res);
    }
    if (url.pathname === '/docs/proxy') {
      const target = docs();
      if (!target) return notFound(res, 'no local API to forward to');
      return proxyToApi(req, res, url, target.apiUrl);
    }
    if (url.pathname === '/openapi.yaml' && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'application/yaml; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(readFileSync(SPEC_FILE));
    }
    notFound(res, 'Not found');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('[hub]', err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'hub error' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.keepAliveTimeout = LOCAL_KEEP_ALIVE_MS;
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  ({ port } = server.address() as AddressInfo);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The names the hub answers to (with its port): what a browser on this machine sends as `Host`. */
export const HUB_HOST_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why the hub refuses a request that is not this machine's (see the file header); undefined when it takes it. */
export function foreignRequest(req: Pick<IncomingMessage, 'headers'>, method: string, port: number): string | undefined {
  const hosts = HUB_HOST_NAMES.map((name) => `${name}:${port}`);
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.includes(host)) return `the hub answers only as ${hosts.join(', ')}; this request was for ${JSON.stringify(req.headers.host ?? '')}`;
  const origin = req.headers.origin;
  if (origin !== undefined && !SAFE_METHODS.has(method) && !hosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return `the hub takes ${method} requests only from its own pages (http://${hosts[0]}); this one came from ${JSON.stringify(origin)}`;
  }
  return undefined;
}

function notFound(res: ServerResponse, message: string): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ message }));
}

/**
 * A row button's simulation: its field (from the page's form or JSON) posted to the emulator's hook,
 * with the button's fixed `extra` fields and what `shape` makes of a second field; the hook's answer back as it is, or to the page (a
 * form post that worked) a redirect home.
 */
async function forwardSimulation(
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  field: string,
  extra: Record<string, unknown> = {},
  /** A second field, which `shape` turns into the hook's fields. */
  second?: string,
  shape?: (value: string) => Record<string, unknown>,
): Promise<void> {
  const fromPage = (req.headers['content-type'] ?? '').includes('form-urlencoded');
  const text = await readText(req);
  const input = readInput(text, fromPage, field);
  const other = second ? readInput(text, fromPage, second) : { value: '' };
  if (input === undefined || other === undefined) {
    res.writeHead(400, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ message: `body must be JSON: { "${field}": string${second ? `, "${second}": string` : ''} }` }));
  }
  const answer = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ [field]: input.value ?? '', ...extra, ...(shape ? shape(other.value ?? '') : {}) }),
  });
  const body = await answer.text();
  if (fromPage && answer.ok) {
    res.writeHead(303, { location: '/' });
    return void res.end();
  }
  res.writeHead(answer.status, { 'content-type': 'application/json' });
  res.end(body);
}

/** A hub action's body as text (the page's form or JSON). */
async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One string field a hub action takes, from the page's form or a JSON body; undefined when malformed. */
function readInput(text: string, form: boolean, field = 'id'): { value?: string } | undefined {
  if (form) return { value: new URLSearchParams(text).get(field) ?? undefined };
  try {
    const body: unknown = text ? JSON.parse(text) : {};
    if (typeof body !== 'object' || body === null) return undefined;
    const value = (body as Record<string, unknown>)[field];
    return value === undefined || typeof value === 'string' ? { value } : undefined;
  } catch {
    return undefined;
  }
}

// --- the page ------------------------------------------------------------------------------------

let bundled: Promise<string> | undefined;

/** hub-view.ts for the browser (window.HubView), bundled once per process, on the first page asked for. */
function viewForBrowser(): Promise<string> {
  bundled ??= import('esbuild')
    .then((esbuild) =>
      esbuild.build({
        entryPoints: [fileURLToPath(new URL('./hub-view.ts', import.meta.url))],
        bundle: true,
        write: false,
        format: 'iife',
        globalName: 'HubView',
        platform: 'browser',
        target: 'es2020',
        minify: true,
        logLevel: 'silent',
      }),
    )
    .then((out) => out.outputFiles[0]!.text)
    .catch((err: unknown) => {
      bundled = undefined;
      throw err;
    });
  return bundled;
}

/** The page's script: the view, and the loop that polls /_inspect and replaces the parts that changed. */
async function clientScript(): Promise<string> {
  const view = await viewForBrowser();
  return `${view}\n${CONTROLLER}`.replace(/<\/script/gi, '<\\/script');
}

const CONTROLLER = `(() => {
  const V = window.HubView;
  const live = document.getElementById('live');
  let selected = document.body.dataset.selected || undefined;
  let data;
  let timer;
  const filterForm = document.getElementById('timeline-filter');
  const filter = () => filterForm ? Object.fromEntries(new FormData(filterForm)) : {};
  // A request, run or resource named by the address (#req-...): its <details> and those around it open.
  function reveal(scroll) {
    const id = decodeURIComponent(location.hash.slice(1));
    const el = id && document.getElementById(id);
    if (!el) return;
    for (let d = el; d; d = d.parentElement && d.parentElement.closest('details')) if (d.tagName === 'DETAILS') d.open = true;
    if (scroll) el.scrollIntoView({ block: 'start' });
  }
  function paint() {
    if (!data) return;
    const view = V.render(data, selected, filter());
    selected = view.selected;
    for (const part of V.PARTS) {
      const el = document.getElementById(part);
      const html = view[part];
      const hash = V.fingerprint(html);
      if (!el || el.dataset.h === hash) continue;
      const open = new Set([...el.querySelectorAll('details[open][data-k]')].map((d) => d.dataset.k));
      const top = el.scrollTop;
      el.innerHTML = html;
      el.dataset.h = hash;
      el.scrollTop = top;
      for (const d of el.querySelectorAll('details[data-k]')) if (open.has(d.dataset.k)) d.open = true;
    }
    reveal(false);
  }
  window.addEventListener('hashchange', () => reveal(true));
  if (filterForm) {
    filterForm.addEventListener('input', paint);
    filterForm.addEventListener('submit', (e) => e.preventDefault());
  }
  async function poll() {
    clearTimeout(timer);
    try {
      const res = await fetch('/_inspect', { cache: 'no-store' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      data = await res.json();
      paint();
      live.textContent = 'live · updated ' + V.when(new Date().toISOString()).slice(11);
      live.className = 'live';
    } catch {
      live.textContent = 'hub not answering: retrying';
      live.className = 'live down';
    }
    timer = setTimeout(poll, 2000);
  }
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[data-mail]');
    if (!a || !data || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    selected = a.dataset.mail;
    history.replaceState(null, '', '?mail=' + encodeURIComponent(selected));
    paint();
    // From the timeline: to the email, above.
    if (!a.closest('#mailList')) document.getElementById('emails').scrollIntoView({ block: 'start' });
  });
  document.addEventListener('submit', async (e) => {
    const simulation = e.target.closest && e.target.closest('form.simulate');
    if (simulation) {
      e.preventDefault();
      try {
        const field = simulation.querySelector('input[type=hidden]');
        const res = await fetch(simulation.getAttribute('action'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ [field.name]: field.value }),
        });
        const out = await res.json();
        const who = field.name === 'assistantId' ? 'Vapi: ' : 'Stripe: ';
        live.textContent = who + (!res.ok ? out.message
          : out.subscription ? out.subscription.id + ' is ' + out.subscription.status
          : out.clock ? out.clock.id + ' now at ' + V.when(out.clock.frozen_time) + ' (' + out.events.length + ' events)'
          : 'call ' + out.callId + (out.delivered.error ? ' not delivered: ' + out.delivered.error : ' reported, webhook answered HTTP ' + out.delivered.status));
        live.className = res.ok ? 'live' : 'live down';
        // A refusal stays readable until the next regular poll.
        if (res.ok) poll();
      } catch {
        simulation.submit();
      }
      return;
    }
    const form = e.target.closest && e.target.closest('form.redrive');
    if (!form) return;
    e.preventDefault();
    const input = form.querySelector('input[name=id]');
    try {
      const res = await fetch('/_streams/redrive', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input ? { id: input.value } : {}),
      });
      const out = await res.json();
      live.textContent = 're-drove ' + out.redriven + ' record(s)';
    } catch {
      form.submit();
    }
    poll();
  });
  poll();
  reveal(true);
})();`;

const STYLE = `*{box-sizing:border-box}body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328;background:#fff}
header.top{display:flex;flex-wrap:wrap;align-items:baseline;gap:.4rem 1.2rem;padding:.7rem 1.5rem;border-bottom:1px solid #d8dee4;background:#f6f8fa}
header.top h1{font-size:1.15rem;margin:0}nav a,nav .api{margin-right:.9rem}a{color:#0b57d0}.live{margin-left:auto;color:#1a7f37;font-size:12px}.live.down{color:#cf222e}
.emulators{font-size:12px;color:#57606a;padding:.3rem 1.5rem;margin:0}.emulators a{margin-right:.6rem}
main{padding:0 1.5rem 3rem;max-width:1400px}h2{font-size:1.1rem;margin:1.6rem 0 .6rem;border-bottom:1px solid #d8dee4;padding-bottom:.2rem}
h3{font-size:1rem;margin:1rem 0 .3rem}h4{font-size:.9rem;margin:.7rem 0 .2rem;color:#57606a}small{color:#57606a;font-weight:normal}
.mail-pane{display:grid;grid-template-columns:minmax(220px,320px) 1fr;gap:1rem;align-items:start}
#mailList{max-height:640px;overflow:auto;border:1px solid #d8dee4;border-radius:6px}
ul.mails{list-style:none;margin:0;padding:0}ul.mails a{display:block;padding:.5rem .7rem;border-bottom:1px solid #eaeef2;color:inherit;text-decoration:none}
ul.mails a:hover{background:#f6f8fa}ul.mails a.sel{background:#ddf4ff;border-left:3px solid #0969da}
.subject{display:block;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.to{display:block;font-size:12px;color:#57606a;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.line{display:flex;gap:.3rem;align-items:center;font-size:11px;color:#57606a}.line time{margin-left:auto}
.tag{background:#eaeef2;border-radius:10px;padding:0 .45rem;font-size:11px;color:#1f2328}
#mailView{min-width:0;border:1px solid #d8dee4;border-radius:6px;padding:.4rem 1rem 1rem}#mailView h3{margin-top:.4rem}.meta{font-size:12px;color:#57606a;margin:.2rem 0 .6rem}
.bodies{display:grid;grid-template-columns:1fr 1fr;gap:.8rem}.bodies.text-only{grid-template-columns:1fr}figure{margin:0;min-width:0}
figcaption{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:#57606a;margin-bottom:.2rem}
iframe{width:100%;height:420px;border:1px solid #d8dee4;border-radius:4px;background:#fff}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;border:1px solid #eaeef2;border-radius:4px;padding:.6rem;margin:0;font:12px/1.5 ui-monospace,monospace}
pre.text{min-height:4rem;max-height:420px;overflow:auto}pre.json{max-width:560px;max-height:360px;overflow:auto}
details{margin-top:.6rem}summary{cursor:pointer;color:#0b57d0;font-size:12px}td details{margin:0}
table{border-collapse:collapse;width:100%;margin:.2rem 0 .6rem}th,td{border-bottom:1px solid #eaeef2;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{font-size:12px;color:#57606a;font-weight:600;background:#f6f8fa}table.kv th{width:8rem;background:none}
code{font:12px ui-monospace,monospace;word-break:break-all}.nowrap{white-space:nowrap}.empty{color:#6e7781}
.provider{margin-bottom:.8rem}form.redrive,form.simulate{display:inline}button{cursor:pointer;white-space:nowrap}
p.count{margin:.2rem 0;color:#57606a;font-size:12px}form.filter{display:flex;flex-wrap:wrap;gap:.5rem;margin:.2rem 0 .6rem}form.filter input{font:inherit;padding:.15rem .4rem;border:1px solid #d0d7de;border-radius:4px;width:14rem}
details.req{border:1px solid #eaeef2;border-radius:6px;margin:.25rem 0}details.req>summary{display:flex;flex-wrap:wrap;gap:.5rem;align-items:baseline;padding:.3rem .6rem;color:inherit;font-size:13px}
details.req[open]>summary{background:#f6f8fa;border-bottom:1px solid #eaeef2}details.req:target>summary,details.req>summary:target{outline:2px solid #0969da}.t{color:#57606a;font:12px ui-monospace,monospace}
.st{font-weight:600}.st-2{color:#1a7f37}.st-3{color:#0969da}.st-4{color:#9a6700}.st-5{color:#cf222e}.st-run{color:#57606a}.problem{color:#cf222e;font-size:12px}
.inv{padding:.2rem .8rem .6rem}.runs{border-left:2px solid #d0d7de;margin:.4rem 0 0 .3rem;padding-left:.8rem}.run>p{margin:.5rem 0 .1rem}.arrow{color:#57606a}
ul.ops{margin:.1rem 0 .3rem;padding-left:1.2rem;font-size:12px}.made-by{margin-top:-.3rem}a.anchor{scroll-margin-top:3rem}
@media (max-width:800px){.mail-pane,.bodies{grid-template-columns:1fr}}`;

/**
 * How to see the public forms' reCAPTCHA check locally: the stack lets a form through without a token
 * (RECAPTCHA_OPTIONAL), and the emulator issues tokens as Google's script would hand them to the browser.
 */
function recaptchaHint(emulators: RunningEmulator[]): string {
  const recaptcha = emulators.find((e) => e.name === 'recaptcha');
  if (!recaptcha) return '';
  const tokenCall = `curl -s -X POST ${recaptcha.baseUrl}/_token -H 'content-type: application/json' -d '{"action":"support_ticket","score":0.9}'`;
  return `<section id="recaptcha"><h2>reCAPTCHA</h2>
<p>The local stack lets the public forms through without a token (<code>RECAPTCHA_OPTIONAL=1</code>; a deployed stage never does).
To see the check, send a token as <code>recaptchaToken</code>: a fresh one from the emulator, good for one verification within two minutes,
for the form's action (${Object.values(RECAPTCHA_ACTIONS).map((a) => `<code>${esc(a)}</code>`).join(', ')}) and a score (below 0.5 is refused):</p>
<pre>${esc(tokenCall)}</pre>
<p><small>Or written by hand: <code>pass:&lt;action&gt;:&lt;score&gt;</code> (e.g. <code>pass:support_ticket:0.2</code>, refused as <code>recaptcha-low-score</code>), and <code>fail</code> (refused as <code>recaptcha-failed</code>).
The emulator's verifications: <a href="${esc(recaptcha.baseUrl)}/_inspect">/_inspect</a>.</small></p></section>`;
}

function page(emulators: RunningEmulator[], data: InspectData, mail: string | null, script: string, docs: HubDocs | undefined, filter: TimelineFilter): string {
  const view = render(data, mail, filter);
  const part = (tag: string, id: string, html: string, attrs = '') =>
    `<${tag} id="${id}" data-h="${fingerprint(html)}"${attrs}>${html}</${tag}>`;
  const [emailsTitle, mailList, mailView, calls, resources, parked, timeline] = PARTS;
  const field = (name: keyof TimelineFilter, label: string) =>
    `<input name="${name}" value="${esc(filter[name] ?? '')}" placeholder="${esc(label)}" aria-label="${esc(label)}">`;
  const requests = data.timeline
    ? `<section id="requests"><h2>Requests</h2>
<form id="timeline-filter" class="filter">${field('path', 'path contains')}${field('status', 'status: 201, 4, 5xx')}${field('user', 'user or caller contains')}</form>
${part('div', timeline, view.timeline)}</section>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fonella local console</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body data-selected="${esc(view.selected)}">
<header class="top"><h1>Fonella local console</h1>
<nav>${docs ? `<span class="api">API <code>${esc(docs.apiUrl)}</code></span>` : ''}${data.timeline ? '<a href="#requests">Requests</a>' : ''}<a href="/docs">API reference (try it)</a><a href="/openapi.yaml">openapi.yaml</a><a href="/_inspect">all state (JSON)</a></nav>
<span id="live" class="live">live</span></header>
<p class="emulators">Each emulator's state: ${emulators.map((e) => `<a href="${esc(e.baseUrl)}/_inspect">${esc(e.name)}</a>`).join('')}</p>
<main>
<section id="emails">${part('h2', emailsTitle, view.emailsTitle)}
<div class="mail-pane">${part('div', mailList, view.mailList, ' aria-label="Emails, newest first"')}${part('div', mailView, view.mailView)}</div></section>
${requests}
${part('section', calls, view.calls)}
${part('section', resources, view.resources)}
${part('section', parked, view.parked)}
${recaptchaHint(emulators)}
</main>
<script>${script}</script>
</body></html>`;
}
