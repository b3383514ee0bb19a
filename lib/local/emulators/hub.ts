// The emulator hub: a page for a person at GET / showing, newest first, the emails the emulators
// received (rendered), the calls placed, the telephony resources provisioned and the stream records
// the workers gave up on (parked), each with a re-drive button. GET /_inspect gives every emulator's
// state in one object, and `streams.parked`; POST /_streams/redrive ({ id? }) hands parked records
// back to their workers.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ParkedRecord } from '../streams';
import type { RunningEmulator } from './kit';

/** The part of the local stream runtime the hub shows and drives. */
export interface HubStreams {
  parked(): ParkedRecord[];
  redrive(id?: string): number;
}

export interface RunningHub {
  url: string;
  close(): Promise<void>;
}

export async function startHub(
  emulators: RunningEmulator[],
  opts: { port?: number; streams?: HubStreams } = {},
): Promise<RunningHub> {
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const state = Object.fromEntries(emulators.map((e) => [e.name, e.definition.inspect()]));
    const parked = (opts.streams?.parked() ?? []).map(({ record: _raw, ...rest }) => rest);
    if (url.pathname === '/_inspect') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ ...state, streams: { parked } }));
    }
    if (url.pathname === '/_streams/redrive' && req.method === 'POST') {
      const fromPage = (req.headers['content-type'] ?? '').includes('form-urlencoded');
      const input = await readInput(req, fromPage);
      if (input === undefined) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ message: 'body must be JSON: { "id"?: string }' }));
      }
      const redriven = opts.streams?.redrive(input.id || undefined) ?? 0;
      if (fromPage) {
        res.writeHead(303, { location: '/' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ redriven }));
    }
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page(emulators, state, parked));
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Not found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readInput(req: IncomingMessage, form: boolean): Promise<{ id?: string } | undefined> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (form) return { id: new URLSearchParams(text).get('id') ?? undefined };
  try {
    const body: unknown = text ? JSON.parse(text) : {};
    if (typeof body !== 'object' || body === null) return undefined;
    const id = (body as { id?: unknown }).id;
    return id === undefined || typeof id === 'string' ? { id } : undefined;
  } catch {
    return undefined;
  }
}

const esc = (v: unknown) =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

type Row = Record<string, unknown>;
const newestFirst = (v: unknown): Row[] => (Array.isArray(v) ? [...(v as Row[])].reverse() : []);

/** Which arrays of which emulator count as emails, calls and telephony resources. */
const CALL_KINDS = new Set(['calls', 'callbacks']);
const SKIP_KINDS = new Set(['messages', 'jwks', 'managementTokens', 'sessions', 'verifications']);

function page(
  emulators: RunningEmulator[],
  state: Record<string, Record<string, unknown>>,
  parked: Omit<ParkedRecord, 'record'>[],
): string {
  const mails = newestFirst(state.mailgun?.messages);
  const calls: { provider: string; row: Row }[] = [];
  const resources: { provider: string; kind: string; row: Row }[] = [];
  for (const [provider, s] of Object.entries(state)) {
    for (const [kind, list] of Object.entries(s)) {
      if (!Array.isArray(list) || SKIP_KINDS.has(kind)) continue;
      for (const row of newestFirst(list)) {
        if (CALL_KINDS.has(kind)) calls.push({ provider, row });
        else resources.push({ provider, kind, row });
      }
    }
  }
  const mailHtml = mails
    .map(
      (m) => `<article class="mail">
  <header><b>${esc(m.subject)}</b><br><small>${esc(m.receivedAt)} · from ${esc(m.from)} → ${esc((m.to as string[] | undefined)?.join(', '))}${m.replyTo ? ` · reply-to ${esc(m.replyTo)}` : ''}${(m.tags as string[] | undefined)?.length ? ` · tags ${esc((m.tags as string[]).join(', '))}` : ''}</small></header>
  ${m.html ? `<iframe sandbox srcdoc="${esc(m.html)}"></iframe>` : `<pre>${esc(m.text)}</pre>`}
</article>`,
    )
    .join('\n');
  const table = (rows: { provider: string; kind?: string; row: Row }[]) =>
    rows.length === 0
      ? '<p class="empty">None yet.</p>'
      : `<table><tr><th>provider</th>${rows[0]!.kind !== undefined ? '<th>kind</th>' : ''}<th>data</th></tr>${rows
          .map(
            (r) =>
              `<tr><td>${esc(r.provider)}</td>${r.kind !== undefined ? `<td>${esc(r.kind)}</td>` : ''}<td><code>${esc(JSON.stringify(r.row))}</code></td></tr>`,
          )
          .join('')}</table>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fonella emulators</title>
<meta http-equiv="refresh" content="10">
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:1100px}h2{margin-top:2rem}
.mail{border:1px solid #ccc;border-radius:6px;padding:.6rem;margin:.6rem 0}iframe{width:100%;height:220px;border:1px solid #eee}
pre{white-space:pre-wrap;background:#f7f7f7;padding:.5rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.3rem;text-align:left;vertical-align:top}
code{font-size:12px;word-break:break-all}.empty{color:#888}nav a{margin-right:1rem}</style></head><body>
<h1>Fonella emulators</h1>
<nav>${emulators.map((e) => `<a href="${esc(e.baseUrl)}/_inspect">${esc(e.name)}</a>`).join('')}<a href="/_inspect">all (JSON)</a></nav>
<h2>Emails (${mails.length})</h2>${mailHtml || '<p class="empty">None yet.</p>'}
<h2>Calls placed (${calls.length})</h2>${table(calls)}
<h2>Provisioned resources (${resources.length})</h2>${table(resources)}
<h2>Parked stream records (${parked.length})</h2>${parkedHtml(parked)}
</body></html>`;
}

function parkedHtml(parked: Omit<ParkedRecord, 'record'>[]): string {
  if (parked.length === 0) return '<p class="empty">None: every stream record was handled.</p>';
  const button = (id: string | undefined, label: string) =>
    `<form method="post" action="/_streams/redrive" style="display:inline">${id ? `<input type="hidden" name="id" value="${esc(id)}">` : ''}<button>${label}</button></form>`;
  return `<p>${button(undefined, 'Re-drive all')}</p><table><tr><th>worker</th><th>record</th><th>attempts</th><th>last error</th><th></th></tr>${parked
    .map(
      (p) =>
        `<tr><td>${esc(p.worker)}</td><td><code>${esc(p.event)} ${esc(p.keys.pk)} / ${esc(p.keys.sk)}</code><br><small>parked ${esc(p.parkedAt)}</small></td><td>${p.attempts}</td><td><code>${esc(p.lastError)}</code></td><td>${button(p.id, 'Re-drive')}</td></tr>`,
    )
    .join('')}</table>`;
}
