// The hub page's view: `GET /_inspect`'s JSON in, HTML strings out, every value escaped. The hub
// renders the first paint with it on the server, and the same module, bundled for the browser
// (hub.ts), re-renders the page from `/_inspect` every two seconds. No DOM, no Node: plain functions.
//
//   emails       Mailgun's messages as a list (newest first) and the selected one: its HTML in a
//                sandboxed iframe (no scripts), its text beside it, headers and variables on demand
//   calls        every emulator's `calls` / `callbacks`, per provider (Vapi's with the tool calls made
//                during each, as our webhook answered them)
//   resources    every other list an emulator keeps (numbers, devices, assistants, customers...),
//                per provider and kind, minus the plumbing in SKIP_KINDS; Stripe's subscriptions with
//                "Payment succeeds" / "Payment fails" buttons (the hub forwards them to the emulator's
//                /_simulate hooks), its test clocks with an "Advance one month" button (the emulator's
//                /_simulate/advance-clock: renewals, retries and schedule phases of the month run),
//                its webhook events with their delivery status; Vapi's assistants
//                with a server URL (customers' assistants) with a "Simulate a call" button (the
//                emulator reports an ended call to that URL; its deliveries are listed as `webhooks`)
//                and a "Call tool <name>" button per custom tool (the model calls it with example
//                arguments; the answer is listed with the deliveries)
//                The webhook deliveries (`webhooks.deliveries`) each with its attempts: time, HTTP status,
//                duration and error of every one, its `webhook-id`, its next attempt
//   parked       the stream records the workers gave up on, each with a re-drive button
//   timeline     the API requests, newest first (filtered by path, status and caller), each opening
//                onto its log lines, table operations and provider calls, and the stream-worker runs
//                its writes led to (records → worker → its own calls and runs), from the local trace
//                (lib/local/trace.ts); an email or resource a call made links to its row above, and
//                that row back to the request
import { countBy, problemSlug } from '../log-format';
import type { Invocation, ProviderCall, RequestTrace, WorkerTrace } from '../trace';

export type Row = Record<string, unknown>;

/** A parked stream record as `/_inspect` lists it (ParkedRecord without the raw DynamoDB record). */
export interface ParkedView {
  id: string;
  worker: string;
  event: string;
  keys: { pk?: string; sk?: string };
  eventId?: string;
  sequenceNumber?: string;
  attempts: number;
  lastError: string;
  parkedAt: string;
}

/** What `GET /_inspect` answers: each emulator's state, plus the parked stream records and the request timeline. */
export type InspectData = Record<string, Record<string, unknown>> & { streams?: { parked?: ParkedView[] }; timeline?: { invocations?: Invocation[] } };

/** Which requests the timeline lists: a path containing `path`, a status starting with `status` (`4`, `40`, `4xx`, `201`), a caller containing `user`. */
export interface TimelineFilter {
  path?: string;
  status?: string;
  user?: string;
}

export interface HubView {
  /** The email shown: the one asked for if it still exists, else the newest. */
  selected: string | undefined;
  emailsTitle: string;
  mailList: string;
  mailView: string;
  calls: string;
  resources: string;
  parked: string;
  timeline: string;
}

/** The parts of the page the browser replaces when they change (element ids = keys). */
export const PARTS = ['emailsTitle', 'mailList', 'mailView', 'calls', 'resources', 'parked', 'timeline'] as const;

export interface Mail {
  id: string;
  domain?: string;
  from?: string;
  to?: string[];
  subject?: string;
  text?: string;
  html?: string;
  replyTo?: string;
  tags?: string[];
  variables?: Record<string, string>;
  receivedAt?: string;
}

/** Which lists count as calls, and which are plumbing rather than anything a person provisioned. */
const CALL_KINDS = ['calls', 'callbacks'];
const SKIP_KINDS = ['messages', 'jwks', 'managementTokens', 'sessions', 'verifications'];

export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

/** A short, stable fingerprint of a rendered part (FNV-1a), so the browser replaces only what changed. */
export function fingerprint(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/** ISO time (or Unix seconds, as Stripe keeps them) as `YYYY-MM-DD HH:MM:SS` UTC; anything else as is. */
export function when(v: unknown): string {
  const d = typeof v === 'number' ? new Date(v < 1e12 ? v * 1000 : v) : typeof v === 'string' ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) return v === undefined || v === null ? '' : String(v);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

const timeTag = (v: unknown) => (v === undefined || v === null || v === '' ? '' : `<time datetime="${esc(v)}">${esc(when(v))}</time>`);

export function render(data: InspectData, selectedMailId?: string | null, filter: TimelineFilter = {}): HubView {
  const mails = newestFirst(data.mailgun?.messages) as unknown as Mail[];
  const selected = mails.find((m) => m.id === selectedMailId) ?? mails[0];
  const calls: Group[] = [];
  const resources: Group[] = [];
  const links = traceLinks(data.timeline?.invocations ?? []);
  for (const [provider, state] of Object.entries(data)) {
    if (provider === 'streams' || provider === 'timeline' || typeof state !== 'object' || state === null) continue;
    for (const [kind, list] of Object.entries(state)) {
      if (!Array.isArray(list) || SKIP_KINDS.includes(kind) || list.length === 0) continue;
      (CALL_KINDS.includes(kind) ? calls : resources).push({ provider, kind, rows: list });
    }
  }
  const parked = [...(data.streams?.parked ?? [])].reverse();
  const count = (groups: Group[]) => groups.reduce((n, g) => n + g.rows.length, 0);
  // What the timeline can link to: the emails (by their subject) and the resource rows this page shows.
  const shown = new Map([
    ...[...calls, ...resources].flatMap((g) => g.rows.map((r): [string, string] => [`${g.provider}:${String(COLUMNS[0]!.pick(obj(r) ?? {}) ?? '')}`, g.kind])),
    ...mails.map((m): [string, string] => [`mailgun:${m.id}`, m.subject ?? '(no subject)']),
  ]);
  return {
    selected: selected?.id,
    emailsTitle: `Emails (${mails.length})`,
    mailList: mailList(mails, selected?.id),
    mailView: selected ? mailView(selected, links) : '<p class="empty">No email yet. A contact form sends one: see the curl lines <code>npm start</code> printed.</p>',
    calls: `<h2>Calls placed (${count(calls)})</h2>${groups(calls, false, links)}`,
    resources: `<h2>Provisioned resources (${count(resources)})</h2>${groups(resources, true, links)}`,
    parked: `<h2>Parked stream records (${parked.length})</h2>${parkedTable(parked)}`,
    timeline: timeline(data.timeline?.invocations, links, filter, shown),
  };
}

function newestFirst(v: unknown): Row[] {
  return Array.isArray(v) ? [...(v as Row[])].reverse() : [];
}

// --- emails -------------------------------------------------------------------------------------

function mailList(mails: Mail[], selected: string | undefined): string {
  if (mails.length === 0) return '<p class="empty">None yet.</p>';
  return `<ul class="mails">${mails
    .map(
      (m) => `<li><a href="?mail=${esc(encodeURIComponent(m.id))}" data-mail="${esc(m.id)}"${m.id === selected ? ' class="sel" aria-current="true"' : ''}>
<span class="subject">${esc(m.subject)}</span>
<span class="to">to ${esc((m.to ?? []).join(', '))}</span>
<span class="line">${(m.tags ?? []).map((t) => `<span class="tag">${esc(t)}</span>`).join('')}${timeTag(m.receivedAt)}</span></a></li>`,
    )
    .join('')}</ul>`;
}

function mailView(m: Mail, links: TraceLinks): string {
  const headers: [string, unknown][] = [
    ['From', m.from],
    ['To', (m.to ?? []).join(', ')],
    ['Reply-To', m.replyTo],
    ['Subject', m.subject],
    ['Tags', (m.tags ?? []).join(', ')],
    ['Received', m.receivedAt],
    ['Message-Id', m.id],
    ['Domain', m.domain],
  ];
  const vars = Object.entries(m.variables ?? {});
  return `<h3>${esc(m.subject)}</h3>
<p class="meta">from <b>${esc(m.from)}</b> to <b>${esc((m.to ?? []).join(', '))}</b>${m.replyTo ? ` · reply-to <b>${esc(m.replyTo)}</b>` : ''} · ${timeTag(m.receivedAt)}</p>${madeByLine(links, 'mailgun', m.id, 'sent')}
<div class="bodies${m.html ? '' : ' text-only'}">
${m.html ? `<figure><figcaption>HTML</figcaption><iframe sandbox="" title="HTML part of ${esc(m.subject)}" srcdoc="${esc(m.html)}"></iframe></figure>` : ''}
<figure><figcaption>Text${m.html ? '' : ' (the email has no HTML part)'}</figcaption>${m.text ? `<pre class="text">${esc(m.text)}</pre>` : '<p class="empty">No text part.</p>'}</figure>
</div>
<details data-k="mail-headers"><summary>Headers and variables</summary>
<table class="kv">${headers
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('')}</table>
<h4>Variables (${vars.length})</h4>${vars.length ? `<table class="kv">${vars.map(([k, v]) => `<tr><th>${esc(k)}</th><td><code>${esc(v)}</code></td></tr>`).join('')}</table>` : '<p class="empty">None.</p>'}
</details>`;
}

// --- calls and resources ------------------------------------------------------------------------

interface Group {
  provider: string;
  kind: string;
  rows: unknown[];
}

type Column = { label: string; pick: (r: Row) => unknown; time?: boolean };

const first = (r: Row, keys: string[]) => keys.map((k) => r[k]).find((v) => v !== undefined && v !== null && v !== '');
const obj = (v: unknown): Row | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Row) : undefined);

/** The fields a person looks for first, under whatever name each provider gives them. */
const COLUMNS: Column[] = [
  { label: 'id', pick: (r) => first(r, ['id', 'call_sid', 'phone_number_sid', 'application_sid', 'voip_carrier_sid', 'sip_gateway_sid', 'user_id', 'sid']) },
  {
    label: 'number',
    pick: (r) => {
      const to = obj(r.to);
      const attached = Array.isArray(r.attachedNumbers) && r.attachedNumbers.length ? r.attachedNumbers.join(', ') : undefined;
      return first(r, ['number', 'phoneNumber', 'target']) ?? attached ?? obj(r.customer)?.number ?? (to ? to.number ?? to.sipUri ?? to.name : r.to);
    },
  },
  // The assistant a Vapi number rings.
  { label: 'assistant', pick: (r) => first(r, ['assistantId']) },
  { label: 'name / alias', pick: (r) => first(r, ['name', 'alias', 'endpointAlias', 'deviceName', 'email', 'nickname', 'description']) },
  { label: 'type', pick: (r) => first(r, ['type', 'provider']) },
  // What a Stripe event is about.
  { label: 'object', pick: (r) => first(r, ['objectId']) },
  {
    label: 'status',
    pick: (r) =>
      first(r, ['status', 'call_status', 'state']) ??
      (typeof r.is_active === 'boolean' ? (r.is_active ? 'active' : 'inactive') : undefined) ??
      // A Stripe event's delivery to the webhook endpoint.
      obj(r.delivery)?.status,
  },
  { label: 'created', time: true, pick: (r) => first(r, ['createdAt', 'created_at', 'created', 'receivedAt', 'placedAt', 'issuedAt', 'at', 'date']) },
  // Where a Stripe test clock stands.
  { label: 'frozen time', time: true, pick: (r) => first(r, ['frozen_time']) },
];

function groups(list: Group[], byKind: boolean, links: TraceLinks): string {
  if (list.length === 0) return '<p class="empty">None yet.</p>';
  const providers = [...new Set(list.map((g) => g.provider))];
  return providers
    .map((p) => {
      const mine = list.filter((g) => g.provider === p);
      const total = mine.reduce((n, g) => n + g.rows.length, 0);
      return `<div class="provider"><h3>${esc(p)} <small>(${total})</small></h3>${mine
        .map((g) => `${byKind || mine.length > 1 ? `<h4>${esc(g.kind)} <small>(${g.rows.length})</small></h4>` : ''}${table(g, links)}`)
        .join('')}</div>`;
    })
    .join('');
}

function table(g: Group, links: TraceLinks): string {
  if (g.provider === 'webhooks' && g.kind === 'deliveries') return deliveriesTable(g);
  // Newest first; the key of a row's JSON <details> is its id, else its place counted from the oldest.
  const rows = g.rows.map((value, i) => ({ value, key: `${g.provider}:${g.kind}:${i}` })).reverse();
  const records = rows.map((r) => ({ ...r, row: obj(r.value) }));
  if (records.some((r) => !r.row)) {
    return `<table><thead><tr><th>value</th></tr></thead><tbody>${records.map((r) => `<tr><td><code>${esc(typeof r.value === 'string' ? r.value : JSON.stringify(r.value))}</code></td></tr>`).join('')}</tbody></table>`;
  }
  const columns = COLUMNS.filter((c) => records.some((r) => c.pick(r.row!) !== undefined));
  const actions = ROW_ACTIONS[`${g.provider}:${g.kind}`];
  // The request whose call made a row, where the timeline knows it.
  const madeBy = (row: Row) => links.madeBy.get(`${g.provider}:${String(COLUMNS[0]!.pick(row) ?? '')}`);
  const traced = records.some((r) => madeBy(r.row!));
  const cell = (c: Column, row: Row) => {
    const v = c.pick(row);
    if (v === undefined) return '<td></td>';
    if (c.time) return `<td class="nowrap">${timeTag(v)}</td>`;
    return `<td>${esc(typeof v === 'object' ? JSON.stringify(v) : v)}</td>`;
  };
  return `<table><thead><tr>${columns.map((c) => `<th>${esc(c.label)}</th>`).join('')}${actions ? '<th></th>' : ''}${traced ? '<th>made by</th>' : ''}<th>all fields</th></tr></thead><tbody>${records
    .map((r) => {
      const id = COLUMNS[0]!.pick(r.row!);
      const key = id === undefined ? r.key : `${g.provider}:${g.kind}:${String(id)}`;
      const by = traced ? `<td>${madeByLink(links, g.provider, String(id ?? ''))}</td>` : '';
      return `<tr>${columns.map((c) => cell(c, r.row!)).join('')}${actions ? `<td class="nowrap">${actions(r.row!)}</td>` : ''}${by}<td>${raw(key, r.row)}</td></tr>`;
    })
    .join('')}</tbody></table>`;
}

/** Buttons a row gets, per `provider:kind`: forms posting to the hub, which forwards them to the emulator. */
const ROW_ACTIONS: Record<string, (row: Row) => string> = {
  'stripe:subscriptions': (r) =>
    typeof r.id !== 'string' || r.status === 'canceled'
      ? ''
      : `${simulateButton('payment-succeeded', r.id, 'Payment succeeds')} ${simulateButton('payment-failed', r.id, 'Payment fails')}`,
  // A deleted clock has no time left to move.
  'stripe:testClocks': (r) =>
    typeof r.id !== 'string' || r.deleted
      ? ''
      : `<form method="post" action="/_stripe/simulate/advance-clock" class="simulate"><input type="hidden" name="clockId" value="${esc(r.id)}"><button>Advance one month</button></form>`,
  // Only an assistant with a server URL has anywhere to send its end-of-call report; each of its
  // custom tools gets a button that plays the model calling it (with example arguments).
  'vapi:assistants': (r) =>
    typeof r.id !== 'string' || typeof obj(r.server)?.url !== 'string'
      ? ''
      : [
          `<form method="post" action="/_vapi/simulate/end-of-call" class="simulate"><input type="hidden" name="assistantId" value="${esc(r.id)}"><button>Simulate a call</button></form>`,
          ...toolNames(r).map(
            (name) =>
              `<form method="post" action="/_vapi/simulate/tool-call" class="simulate"><input type="hidden" name="assistantId" value="${esc(r.id)}"><input type="hidden" name="name" value="${esc(name)}"><button>Call tool ${esc(name)}</button></form>`,
          ),
        ].join(' '),
  // Only a number routed to an application has anyone to ask what to do with a call.
  'jambonz:phoneNumbers': (r) =>
    typeof r.number !== 'string' || typeof r.application_sid !== 'string'
      ? ''
      : `<form method="post" action="/_jambonz/simulate/inbound" class="simulate"><input type="hidden" name="to" value="+${esc(r.number)}"><button>Simulate an inbound call</button></form>`,
};

/** The names of an assistant's function tools (its model's `tools`). */
function toolNames(assistant: Row): string[] {
  const tools = obj(assistant.model)?.tools;
  if (!Array.isArray(tools)) return [];
  return tools.map((t) => obj(obj(t)?.function)?.name).filter((name): name is string => typeof name === 'string');
}

function simulateButton(simulation: 'payment-succeeded' | 'payment-failed', subscriptionId: string, label: string): string {
  return `<form method="post" action="/_stripe/simulate/${simulation}" class="simulate"><input type="hidden" name="subscriptionId" value="${esc(subscriptionId)}"><button>${esc(label)}</button></form>`;
}

function raw(key: string, value: unknown): string {
  return `<details data-k="${esc(key)}"><summary>JSON</summary><pre class="json">${esc(JSON.stringify(value, null, 2))}</pre></details>`;
}

/** Webhook deliveries, newest first: the event, where it went, how it stands, and every attempt. */
function deliveriesTable(g: Group): string {
  const rows = [...g.rows].reverse().map((v) => obj(v) ?? {});
  const attempts = (r: Row) => {
    const log = Array.isArray(r.log) ? (r.log as Row[]) : [];
    if (log.length === 0) return '<span class="empty">none yet</span>';
    return `<table class="kv">${log
      .map((a) => `<tr><th>#${esc(a.attempt)} <small>${esc(a.trigger)}</small></th><td class="nowrap">${timeTag(a.at)}</td><td>${a.status === null ? 'no answer' : `HTTP ${esc(a.status)}`}</td><td>${esc(a.durationMs)} ms</td><td><code>${esc(a.error ?? '')}</code></td></tr>`)
      .join('')}</table>`;
  };
  return `<table><thead><tr><th>webhook-id</th><th>event</th><th>endpoint</th><th>status</th><th>attempts</th><th>next attempt</th><th>all fields</th></tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr><td><code>${esc(r.eventId)}</code></td><td>${esc(r.eventType)}</td><td><code>${esc(r.subscriptionId)}</code></td><td>${esc(r.status)}</td><td>${attempts(r)}</td><td class="nowrap">${r.status === 'pending' ? timeTag(r.nextAttemptAt) : ''}</td><td>${raw(`webhooks:deliveries:${String(r.userId)}:${String(r.subscriptionId)}:${String(r.eventId)}`, r)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

// --- parked stream records ----------------------------------------------------------------------

function redriveButton(id: string | undefined, label: string): string {
  return `<form method="post" action="/_streams/redrive" class="redrive">${id ? `<input type="hidden" name="id" value="${esc(id)}">` : ''}<button>${esc(label)}</button></form>`;
}

function parkedTable(parked: ParkedView[]): string {
  if (parked.length === 0) return '<p class="empty">None: every stream record was handled.</p>';
  return `<p>${redriveButton(undefined, 'Re-drive all')} <small>or <code>npm run redrive</code> once the cause is fixed</small></p>
<table><thead><tr><th>worker</th><th>record</th><th>attempts</th><th>last error</th><th>parked</th><th></th><th></th></tr></thead><tbody>${parked
    .map(
      (p) =>
        `<tr><td>${esc(p.worker)}</td><td><code>${esc(p.event)} ${esc(p.keys?.pk)} / ${esc(p.keys?.sk)}</code></td><td>${esc(p.attempts)}</td><td><code>${esc(p.lastError)}</code></td><td class="nowrap">${timeTag(p.parkedAt)}</td><td>${redriveButton(p.id, 'Re-drive')}</td><td>${raw(`parked:${p.id}`, p)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

// --- the request timeline -----------------------------------------------------------------------

interface TraceLinks {
  byId: Map<string, Invocation>;
  /** `<provider>:<resource id>` → the invocation whose call made or named it, and the request it came from. */
  madeBy: Map<string, { inv: Invocation; request?: RequestTrace }>;
}

function traceLinks(invocations: Invocation[]): TraceLinks {
  const byId = new Map(invocations.map((i) => [i.id, i]));
  const requestOf = (inv: Invocation, seen = new Set<string>()): RequestTrace | undefined => {
    if (inv.kind === 'request') return inv;
    seen.add(inv.id);
    for (const cause of inv.causedBy) {
      const parent = byId.get(cause);
      const found = parent && !seen.has(parent.id) ? requestOf(parent, seen) : undefined;
      if (found) return found;
    }
    return undefined;
  };
  const madeBy = new Map<string, { inv: Invocation; request?: RequestTrace }>();
  for (const inv of invocations) {
    for (const call of inv.providers) {
      const key = `${call.provider}:${call.resourceId}`;
      // The first call that named it made it; later ones only read or changed it.
      if (call.resourceId && !madeBy.has(key)) madeBy.set(key, { inv, request: requestOf(inv) });
    }
  }
  return { byId, madeBy };
}

/** The element id of a resource's row anchor: a fingerprint, as provider ids hold any character. */
const resourceAnchor = (provider: string, id: string) => `res-${fingerprint(`${provider}:${id}`)}`;
const requestLabel = (r: RequestTrace) => `${r.method} ${r.path}`;

/** In a resource row: an anchor the timeline links to, and the link back to the request that made it. */
function madeByLink(links: TraceLinks, provider: string, id: string): string {
  const by = links.madeBy.get(`${provider}:${id}`);
  if (!by) return '';
  const anchor = `<a class="anchor" id="${esc(resourceAnchor(provider, id))}"></a>`;
  const via = by.inv.kind === 'worker' ? ` <small>via ${esc(by.inv.worker)}</small>` : '';
  return by.request ? `${anchor}<a class="trace-link" href="#req-${esc(by.request.id)}">${esc(requestLabel(by.request))}</a>${via}` : `${anchor}<small>${esc(by.inv.kind === 'worker' ? by.inv.worker : '')}</small>`;
}

/** Under an email's headers: which request's worker sent it, linked to the request in the timeline. */
function madeByLine(links: TraceLinks, provider: string, id: string, verb: string): string {
  const by = links.madeBy.get(`${provider}:${id}`);
  if (!by?.request) return '';
  const via = by.inv.kind === 'worker' ? ` by the stream worker <b>${esc(by.inv.worker)}</b>` : '';
  return `<p class="meta made-by"><a class="anchor" id="${esc(resourceAnchor(provider, id))}"></a>${esc(verb)}${via} for <a class="trace-link" href="#req-${esc(by.request.id)}">${esc(requestLabel(by.request))}</a> <small>(${esc(when(by.request.startedAt))})</small></p>`;
}

function passes(r: RequestTrace, f: TimelineFilter): boolean {
  const has = (value: string, part?: string) => !part?.trim() || value.toLowerCase().includes(part.trim().toLowerCase());
  const status = f.status?.trim().replace(/x+$/i, '');
  return has(`${r.path}${r.query ? `?${r.query}` : ''}`, f.path) && has(r.caller, f.user) && (!status || String(r.status ?? '').startsWith(status));
}

function statusClass(status: number | undefined): string {
  if (status === undefined) return 'st-run';
  return status >= 500 ? 'st-5' : status >= 400 ? 'st-4' : status >= 300 ? 'st-3' : 'st-2';
}

/** The worker runs an invocation led to, itself included, counted through every level. */
function runsUnder(inv: Invocation, links: TraceLinks, seen = new Set<string>()): number {
  let n = 0;
  for (const id of inv.caused) {
    const run = links.byId.get(id);
    if (!run || seen.has(id)) continue;
    seen.add(id);
    n += 1 + runsUnder(run, links, seen);
  }
  return n;
}

/** What the timeline links a call to: `<provider>:<id>` of the emails (their subject) and resources (their kind) the page shows. */
type Shown = Map<string, string>;

function timeline(invocations: Invocation[] | undefined, links: TraceLinks, filter: TimelineFilter, shown: Shown): string {
  if (!invocations) return '';
  const requests = invocations.filter((i): i is RequestTrace => i.kind === 'request').sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  const listed = requests.filter((r) => passes(r, filter));
  if (listed.length === 0) return `<p class="empty">${requests.length ? `None of the ${requests.length} requests matches the filter.` : 'None yet: every request to the local API shows here, newest first.'}</p>`;
  const count = listed.length === requests.length ? `${requests.length}` : `${listed.length} of ${requests.length}`;
  return `<p class="count">${count} request${requests.length === 1 ? '' : 's'}, newest first; open one for what it did and the stream-worker runs it led to.</p><div class="requests">${listed.map((r) => requestEntry(r, links, shown)).join('')}</div>`;
}

function requestEntry(r: RequestTrace, links: TraceLinks, shown: Shown): string {
  const runs = runsUnder(r, links);
  const summary = [
    `<span class="t">${esc(when(r.startedAt).slice(11, 19))}</span>`,
    `<b>${esc(r.method)}</b> <code>${esc(r.path)}${r.query ? `?${esc(r.query)}` : ''}</code>`,
    `<span class="st ${statusClass(r.status)}">${esc(r.status ?? '…')}</span>`,
    r.durationMs === undefined ? '' : `<small>${esc(r.durationMs)} ms</small>`,
    `<small class="caller">${esc(r.caller)}</small>`,
    `<small>table ${r.table.length}${r.providers.length ? ` · ${esc(countBy(r.providers.map((p) => p.provider)))}` : ''}${runs ? ` · ${runs} worker run${runs === 1 ? '' : 's'}` : ''}</small>`,
    r.problemType ? `<span class="problem">${esc(problemSlug(r.problemType))}</span>` : '',
  ].filter(Boolean);
  const meta = [
    r.route ? `route <code>${esc(r.route)}</code>` : 'answered by the gateway',
    r.requestId ? `request id <code>${esc(r.requestId)}</code>` : '',
    `caller <code>${esc(r.caller)}</code>`,
    r.problemType ? `problem <code>${esc(r.problemType)}</code>` : '',
  ].filter(Boolean);
  return `<details class="req" id="req-${esc(r.id)}" data-k="req:${esc(r.id)}"><summary>${summary.join(' ')}</summary>
<div class="inv"><p class="meta">${meta.join(' · ')}</p>${work(r, shown)}${runsOf(r, links, shown, new Set([r.id]), 0)}</div></details>`;
}

/** An invocation's table operations, provider calls (linked to the email or resource they made) and log lines. */
function work(inv: Invocation, shown: Shown): string {
  const table = inv.table.length
    ? `<h4>Table operations (${inv.table.length})</h4><ul class="ops">${inv.table
        .map((o) => `<li><code>${esc(o.op)}</code> ${o.keys.map((k) => `<code>${esc(k)}</code>`).join(', ')}${o.write ? ' <span class="tag">write</span>' : ''}${o.error ? ` <span class="problem">${esc(o.error)}</span>` : ''}</li>`)
        .join('')}</ul>`
    : '<h4>Table operations (0)</h4>';
  const calls = inv.providers.length
    ? `<h4>Provider calls (${inv.providers.length})</h4><ul class="ops">${inv.providers.map((c) => `<li>${providerCall(c, shown)}</li>`).join('')}</ul>`
    : '';
  const logs = inv.logs.length
    ? `<details data-k="logs:${esc(inv.id)}"><summary>Log lines (${inv.logs.length})</summary><pre class="json">${inv.logs
        .map((l) => esc(JSON.stringify(l)))
        .join('\n')}</pre></details>`
    : '';
  return table + calls + logs;
}

function providerCall(c: ProviderCall, shown: Shown): string {
  const line = `<b>${esc(c.provider)}</b> <code>${esc(c.method)} ${esc(c.path)}</code> → ${c.status === undefined ? esc(c.error ?? 'no answer') : `<span class="st ${statusClass(c.status)}">${esc(c.status)}</span>`}${c.durationMs === undefined ? '' : ` <small>${esc(c.durationMs)} ms</small>`}`;
  if (!c.resourceId) return line;
  const key = `${c.provider}:${c.resourceId}`;
  const label = shown.get(key);
  if (label !== undefined && c.provider === 'mailgun') {
    return `${line} · email <a class="to-mail" href="?mail=${esc(encodeURIComponent(c.resourceId))}" data-mail="${esc(c.resourceId)}">${esc(label)}</a>`;
  }
  if (label !== undefined) return `${line} · ${esc(label)} <a class="to-resource" href="#${esc(resourceAnchor(c.provider, c.resourceId))}">${esc(c.resourceId)}</a>`;
  return `${line} · <code>${esc(c.resourceId)}</code>`;
}

/** The worker runs `inv`'s writes led to: the records, the worker and its outcome, what it did, and the runs it led to. */
function runsOf(inv: Invocation, links: TraceLinks, shown: Shown, seen: Set<string>, depth: number): string {
  const runs = inv.caused.map((id) => links.byId.get(id)).filter((w): w is WorkerTrace => w?.kind === 'worker' && !seen.has(w.id));
  if (runs.length === 0 || depth > 5) return '';
  return `<div class="runs">${runs
    .map((w) => {
      seen.add(w.id);
      const mine = w.records.filter((r) => r.causedBy === inv.id);
      const records = (mine.length ? mine : w.records)
        .map((r) => `<code>${esc(r.event)} ${esc(r.pk)} / ${esc(r.sk)}</code>${r.outcome === 'failed' ? ` <span class="problem">failed${r.error ? `: ${esc(r.error)}` : ''}</span>` : ''}`)
        .join(', ');
      const outcome = w.records.some((r) => r.outcome === 'failed') ? '<span class="st st-5">failed</span>' : w.records.every((r) => r.outcome) ? '<span class="st st-2">done</span>' : '<span class="st st-run">running</span>';
      return `<div class="run" id="inv-${esc(w.id)}"><p><span class="arrow">↳</span> its write → record ${records} → stream worker <b>${esc(w.worker)}</b> ${outcome}${w.durationMs === undefined ? '' : ` <small>${esc(w.durationMs)} ms</small>`} <small>${esc(when(w.startedAt).slice(11, 19))}</small></p>
${work(w, shown)}${runsOf(w, links, shown, seen, depth + 1)}</div>`;
    })
    .join('')}</div>`;
}
