// The hub's view (hub-view.ts: /_inspect's JSON → HTML) and its server's own routes, without the
// stack: every value escaped, newest first, the selected email by id, calls and resources per
// provider with the fields a person looks for first, parked records with their re-drive buttons;
// /docs, /openapi.yaml and the "try it" proxy, which forwards to the local API and nowhere else; and
// only for this machine: a foreign Host (DNS rebinding) or a foreign Origin on a POST is refused.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../lib/local/emulators/hub';
import { render, type InspectData, type TimelineFilter } from '../../lib/local/emulators/hub-view';
import type { Invocation, RequestTrace } from '../../lib/local/trace';
import { startEmulator, type RunningEmulator } from '../../lib/local/emulators/kit';
import { createMailgunEmulator } from '../../lib/local/emulators/mailgun';

const mail = (n: number, extra: Record<string, unknown> = {}) => ({
  id: `<${n}@mg.test>`,
  domain: 'mg.test',
  from: 'Fonella <no-reply@mg.test>',
  to: ['owner@example.com'],
  subject: `Mail ${n}`,
  text: `Text ${n}`,
  tags: ['t'],
  variables: { callId: `c${n}` },
  receivedAt: `2026-01-0${n}T10:00:00.000Z`,
  ...extra,
});

const data: InspectData = {
  mailgun: {
    messages: [
      mail(1),
      mail(2, { subject: 'Hi <img src=x onerror=alert(1)>', html: '<p>Hello</p><script>alert(1)</script>', text: 'a < b & "c"' }),
    ],
  },
  vapi: {
    calls: [{ id: 'call-1', customer: { number: '+4930111' }, status: 'queued', type: 'outboundPhoneCall', createdAt: '2026-01-01T00:00:00.000Z' }],
    phoneNumbers: [{ id: 'pn-1', number: '+14155550000', status: 'active', provider: 'vapi', assistantId: 'asst-1' }],
    assistants: [{ id: 'asst-1', name: 'Fonella: Demo', attachedNumbers: ['+14155550000'], createdAt: '2026-01-01T00:00:00.000Z' }],
  },
  jambonz: { calls: [{ call_sid: 'sid-1', to: { type: 'phone', number: '4930222' }, call_status: 'queued', created_at: '2026-01-02T00:00:00.000Z' }] },
  stripe: { customers: [{ id: 'cus_1', email: 'c@example.com', created: 1767225600 }] },
  auth0: { users: [], deletedUsers: ['auth0|gone'], jwks: [{ kid: 'k' }] },
  fonial: { sessions: [{ sid: 'secret-session' }] },
  streams: {
    parked: [
      { id: 'p1', worker: 'sendContactEmail', event: 'INSERT', keys: { pk: 'CONTACT#1', sk: 'CONTACT' }, attempts: 3, lastError: 'Mailgun <down>', parkedAt: '2026-01-03T00:00:00.000Z' },
    ],
  },
};

describe('the hub view', () => {
  const view = render(data);

  it('lists the emails newest first and shows the newest, or the one asked for by id', () => {
    expect(view.emailsTitle).toBe('Emails (2)');
    expect(view.mailList.indexOf('Mail 1')).toBeGreaterThan(view.mailList.indexOf('Hi &lt;img'));
    expect(view.selected).toBe('<2@mg.test>');
    expect(render(data, '<1@mg.test>').mailView).toContain('<h3>Mail 1</h3>');
    expect(render(data, '<gone@mg.test>').selected).toBe('<2@mg.test>');
    expect(view.mailList).toContain('href="?mail=%3C2%40mg.test%3E"');
  });

  it('escapes every value and puts the HTML part only into a sandboxed iframe that allows nothing', () => {
    const all = Object.values(view).join('\n');
    expect(all).not.toContain('<img');
    expect(all).not.toContain('<script');
    expect(view.mailView).toContain('<iframe sandbox="" ');
    expect(view.mailView).toContain('srcdoc="&lt;p&gt;Hello&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(view.mailView).toContain('<pre class="text">a &lt; b &amp; &quot;c&quot;</pre>');
    expect(view.mailView).toContain('callId');
    expect(view.parked).toContain('Mailgun &lt;down&gt;');
  });

  it('groups calls and resources per provider, with id, number, name, status and created first', () => {
    expect(view.calls).toContain('Calls placed (2)');
    expect(view.calls).toContain('<h3>vapi <small>(1)</small></h3>');
    expect(view.calls).toContain('+4930111');
    expect(view.calls).toContain('4930222');
    expect(view.calls).toContain('2026-01-02 00:00:00Z');
    expect(view.resources).toContain('Provisioned resources (4)');
    // An assistant shows the number that rings it, and the number the assistant it rings.
    const assistantRow = view.resources.split('<tr>').find((r) => r.includes('Fonella: Demo'))!;
    expect(assistantRow).toContain('<td>+14155550000</td>');
    const numberRow = view.resources.split('<tr>').find((r) => r.includes('<td>pn-1</td>'))!;
    expect(numberRow).toContain('<td>asst-1</td>');
    expect(view.resources).toContain('+14155550000');
    // Stripe keeps Unix seconds.
    expect(view.resources).toContain('2026-01-01 00:00:00Z');
    expect(view.resources).toContain('auth0|gone');
    // Plumbing is not a provisioned resource.
    expect(view.resources).not.toContain('secret-session');
    expect(view.resources).not.toContain('jwks');
    expect(view.resources).toContain('<summary>JSON</summary>');
  });

  it('lists parked records with a re-drive button each and one for all', () => {
    expect(view.parked).toContain('Parked stream records (1)');
    expect(view.parked).toContain('<input type="hidden" name="id" value="p1">');
    expect(view.parked).toContain('Re-drive all');
  });

  it('gives a Stripe subscription row "Payment succeeds" and "Payment fails" buttons for its id, and shows events with their delivery', () => {
    const stripe = render({
      stripe: {
        subscriptions: [
          { id: 'sub_1"><b>x', object: 'subscription', status: 'past_due', created: 1767225600 },
          { id: 'sub_gone', object: 'subscription', status: 'canceled', created: 1767225600 },
        ],
        events: [{ id: 'evt_1', type: 'invoice.payment_failed', created: 1767225600, objectId: 'in_1', delivery: { status: 'failed', attempts: 4 } }],
      },
    }).resources;
    const row = stripe.split('<tr>').find((r) => r.includes('past_due'))!;
    const id = 'value="sub_1&quot;&gt;&lt;b&gt;x"';
    expect(row).toContain(`<form method="post" action="/_stripe/simulate/payment-succeeded" class="simulate"><input type="hidden" name="subscriptionId" ${id}><button>Payment succeeds</button></form>`);
    expect(row).toContain(`<form method="post" action="/_stripe/simulate/payment-failed" class="simulate"><input type="hidden" name="subscriptionId" ${id}><button>Payment fails</button></form>`);
    expect(stripe).not.toContain('<b>x');
    // A canceled subscription has nothing left to pay.
    expect(stripe.split('<tr>').find((r) => r.includes('sub_gone'))).not.toContain('<form');
    const event = stripe.split('<tr>').find((r) => r.includes('evt_1'))!;
    for (const cell of ['<td>invoice.payment_failed</td>', '<td>in_1</td>', '<td>failed</td>']) expect(event).toContain(cell);
  });

  it('gives a Stripe test clock an "Advance one month" button for its id and shows where it stands; a deleted one gets none', () => {
    const stripe = render({
      stripe: {
        testClocks: [
          { id: 'clock_1"><b>x', object: 'test_helpers.test_clock', name: 'Demo customer', status: 'ready', created: 1767225600, frozen_time: 1769904000 },
          { id: 'clock_gone', object: 'test_helpers.test_clock', status: 'ready', created: 1767225600, frozen_time: 1767225600, deleted: true },
        ],
      },
    }).resources;
    const row = stripe.split('<tr>').find((r) => r.includes('Demo customer'))!;
    expect(row).toContain(
      '<form method="post" action="/_stripe/simulate/advance-clock" class="simulate"><input type="hidden" name="clockId" value="clock_1&quot;&gt;&lt;b&gt;x"><button>Advance one month</button></form>',
    );
    expect(stripe).toContain('<th>frozen time</th>');
    expect(row).toContain('<time datetime="1769904000">2026-02-01 00:00:00Z</time>');
    expect(stripe).not.toContain('<b>x');
    expect(stripe.split('<tr>').find((r) => r.includes('clock_gone'))).not.toContain('<form');
  });

  it('gives a Vapi assistant with a server URL a "Simulate a call" button for its id, and one without none', () => {
    const vapi = render({
      vapi: {
        assistants: [
          { id: 'asst-cust"><b>x', name: 'Bäckerei', server: { url: 'http://127.0.0.1:3000/v1/webhooks/vapi', headers: { 'X-Vapi-Secret': 's' } } },
          { id: 'asst-callback', name: 'Fonella callback (de)' },
        ],
      },
    }).resources;
    const row = vapi.split('<tr>').find((r) => r.includes('Bäckerei'))!;
    expect(row).toContain(
      '<form method="post" action="/_vapi/simulate/end-of-call" class="simulate"><input type="hidden" name="assistantId" value="asst-cust&quot;&gt;&lt;b&gt;x"><button>Simulate a call</button></form>',
    );
    expect(vapi).not.toContain('<b>x');
    expect(vapi.split('<tr>').find((r) => r.includes('Fonella callback (de)'))).not.toContain('<form');
  });

  it('lists webhook deliveries newest first, each with its webhook-id, status and every attempt', () => {
    const html = render({
      webhooks: {
        deliveries: [
          { eventId: 'msg_old', eventType: 'webhook.test', subscriptionId: 'wh_1', status: 'succeeded', log: [{ attempt: 1, at: '2026-12-01T10:00:00.000Z', status: 200, durationMs: 12, error: null, trigger: 'event' }] },
          {
            eventId: 'msg_new',
            eventType: 'call.ended',
            subscriptionId: 'wh_1',
            status: 'pending',
            nextAttemptAt: '2026-12-01T10:05:05.000Z',
            log: [
              { attempt: 1, at: '2026-12-01T10:00:00.000Z', status: 500, durationMs: 40, error: 'HTTP 500', trigger: 'event' },
              { attempt: 2, at: '2026-12-01T10:00:05.000Z', status: null, durationMs: 15000, error: 'timeout: <no answer>', trigger: 'event' },
            ],
          },
        ],
      },
    }).resources;
    expect(html.indexOf('msg_new')).toBeLessThan(html.indexOf('msg_old'));
    const row = html.split('<tr><td><code>').find((r) => r.startsWith('msg_new'))!;
    expect(row).toContain('call.ended');
    expect(row).toContain('#1 <small>event</small>');
    expect(row).toContain('HTTP 500');
    expect(row).toContain('no answer');
    expect(row).toContain('timeout: &lt;no answer&gt;');
    expect(row).toContain('datetime="2026-12-01T10:05:05.000Z"');
    expect(html).not.toContain('<no answer>');
  });
});

describe('the request timeline', () => {
  const t = (s: number) => `2026-01-05T10:00:0${s}.000Z`;
  const request = (id: string, s: number, extra: Partial<RequestTrace> = {}): RequestTrace => ({
    kind: 'request', id, startedAt: t(s), durationMs: 12, logs: [], table: [], providers: [], caused: [],
    method: 'POST', path: '/v1/public/support-tickets', caller: 'public 127.0.0.1', status: 201, route: 'submitSupportTicket', ...extra,
  });
  const invocations: Invocation[] = [
    request('r1', 1, {
      table: [{ op: 'PutItem', keys: ['TICKET#<b>1 / TICKET'], write: true }],
      logs: [{ level: 'INFO', message: 'request', function_request_id: 'r1' }],
      caused: ['w1'],
    }),
    {
      kind: 'worker', id: 'w1', worker: 'deliverTicketEmails', startedAt: t(2), durationMs: 30, logs: [], caused: [],
      table: [{ op: 'GetItem', keys: ['TICKET#<b>1 / TICKET'], write: false }],
      providers: [
        { provider: 'mailgun', method: 'POST', path: '/v3/mg.test/messages', status: 200, resourceId: '<1@mg.test>' },
        { provider: 'vapi', method: 'POST', path: '/assistant', status: 201, resourceId: 'asst-1' },
      ],
      records: [{ event: 'INSERT', pk: 'TICKET#<b>1', sk: 'TICKET', sequenceNumber: '9', outcome: 'done', causedBy: 'r1' }],
      causedBy: ['r1'],
    },
    request('r2', 3, { method: 'GET', path: '/v1/me', caller: 'auth0|ada', status: 200, route: 'getMe' }),
    request('r3', 4, { path: '/v1/public/contact', status: 400, problemType: 'urn:fonella:problem:validation' }),
  ];
  const withTimeline: InspectData = { ...data, timeline: { invocations } };

  it('lists the requests newest first, each with its summary, escaped; the worker run under its request', () => {
    const html = render(withTimeline).timeline;
    expect(html).toContain('3 requests, newest first');
    expect(html.indexOf('/v1/public/contact')).toBeLessThan(html.indexOf('/v1/me'));
    expect(html.indexOf('/v1/me')).toBeLessThan(html.indexOf('/v1/public/support-tickets'));
    expect(html).toContain('id="req-r1"');
    expect(html).toContain('1 worker run');
    expect(html).toContain('<span class="problem">validation</span>');
    expect(html).not.toContain('<b>1');
    expect(html).toContain('TICKET#&lt;b&gt;1 / TICKET');
    const ticket = html.slice(html.indexOf('id="req-r1"'));
    expect(ticket).toMatch(/record <code>INSERT TICKET#&lt;b&gt;1 \/ TICKET<\/code> → stream worker <b>deliverTicketEmails<\/b> <span class="st st-2">done<\/span>/);
    expect(ticket).toContain('Log lines (1)');
  });

  it('links a call to the email or resource it made, and the email and the resource back to the request', () => {
    const view = render(withTimeline, '<1@mg.test>');
    expect(view.timeline).toContain('email <a class="to-mail" href="?mail=%3C1%40mg.test%3E" data-mail="&lt;1@mg.test&gt;">Mail 1</a>');
    expect(view.timeline).toMatch(/assistants <a class="to-resource" href="#res-\w+">asst-1<\/a>/);
    expect(view.mailView).toContain('by the stream worker <b>deliverTicketEmails</b> for <a class="trace-link" href="#req-r1">POST /v1/public/support-tickets</a>');
    const assistantRow = view.resources.split('<tr>').find((r) => r.includes('Fonella: Demo'))!;
    expect(assistantRow).toContain('<a class="trace-link" href="#req-r1">POST /v1/public/support-tickets</a>');
    const anchor = /href="#(res-\w+)">asst-1/.exec(view.timeline)![1]!;
    expect(assistantRow).toContain(`id="${anchor}"`);
    // An email no call made has no such line.
    expect(render(withTimeline, '<2@mg.test>').mailView).not.toContain('made-by');
  });

  it('filters by path, status (a prefix, 4xx as 4) and caller', () => {
    const listed = (f: TimelineFilter) => [...render(withTimeline, undefined, f).timeline.matchAll(/id="req-(\w+)"/g)].map((m) => m[1]);
    expect(listed({})).toEqual(['r3', 'r2', 'r1']);
    expect(listed({ path: 'PUBLIC' })).toEqual(['r3', 'r1']);
    expect(listed({ status: '4xx' })).toEqual(['r3']);
    expect(listed({ status: '20' })).toEqual(['r2', 'r1']);
    expect(listed({ user: 'ada' })).toEqual(['r2']);
    expect(render(withTimeline, undefined, { user: 'nobody' }).timeline).toContain('None of the 3 requests matches the filter');
    // Without a trace the hub has no timeline.
    expect(render(data).timeline).toBe('');
  });
});

describe('the hub server', () => {
  let mailgun: RunningEmulator;
  let api: Server;
  let apiUrl: string;
  let hub: RunningHub;
  let bare: RunningHub;

  beforeAll(async () => {
    mailgun = await startEmulator(createMailgunEmulator(), { port: 0 });
    // A stand-in for the local API: echoes what it received.
    api = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, authorization: req.headers.authorization ?? null, origin: req.headers.origin ?? null }));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    hub = await startHub([mailgun], { docs: { apiUrl, tokens: { customer: 'tok-customer', admin: 'tok-admin' }, apiKey: 'fon_live_demo<key>' } });
    bare = await startHub([mailgun]);
  });

  afterAll(async () => {
    await hub?.close();
    await bare?.close();
    await mailgun?.close();
    await new Promise((r) => api?.close(r));
  });

  it('serves the page with the sections, a link to the API reference and its script', async () => {
    const res = await fetch(hub.url);
    expect(res.headers.get('content-type')).toContain('text/html');
    const page = await res.text();
    for (const s of ['Emails (0)', 'Calls placed (0)', 'Provisioned resources (0)', 'Parked stream records (0)', 'href="/docs"', 'window.HubView', "fetch('/_inspect'"]) {
      expect(page).toContain(s);
    }
    expect(page).not.toContain('http-equiv="refresh"');
    const state = (await (await fetch(`${hub.url}/_inspect`)).json()) as Record<string, unknown>;
    expect(state).toEqual({ mailgun: { messages: [] }, streams: { parked: [] } });
  });

  it('serves the API reference with the local API as its server and the tokens, and the document', async () => {
    const docs = await (await fetch(`${hub.url}/docs`)).text();
    expect(docs).toContain(`"servers":[{"url":"${apiUrl}"`);
    expect(docs).toContain('"proxyUrl":"/docs/proxy"');
    expect(docs).toContain('value="tok-customer"');
    expect(docs).toContain('value="tok-admin"');
    // The API key scheme's token field holds the demo key (escaped in the bar's field, JSON-safe in the viewer's config).
    expect(docs).toContain('id="token-api-key" value="fon_live_demo&lt;key&gt;"');
    expect(docs).toContain('"apiKey":{"token":"fon_live_demo\\u003ckey>"}');
    expect(docs).toContain('<script src="/docs/scalar.js"></script>');
    const viewer = await fetch(`${hub.url}/docs/scalar.js`);
    expect(viewer.status).toBe(200);
    expect(viewer.headers.get('content-type')).toContain('javascript');
    expect((await viewer.text()).length).toBeGreaterThan(100_000);
    const spec = await fetch(`${hub.url}/openapi.yaml`);
    expect(spec.headers.get('content-type')).toContain('yaml');
    expect(await spec.text()).toContain('openapi: 3.1.0');
    // Without the API's address the reference still renders, with no tokens and no proxy.
    const plain = await (await fetch(`${bare.url}/docs`)).text();
    expect(plain).not.toContain('proxyUrl');
    expect(plain).toContain('npm run token');
    expect((await fetch(`${bare.url}/docs/proxy?scalar_url=${encodeURIComponent(`${apiUrl}/v1/me`)}`)).status).toBe(404);
  });

  it('forwards "try it" requests to the local API, with their headers, and nowhere else', async () => {
    const ok = await fetch(`${hub.url}/docs/proxy?scalar_url=${encodeURIComponent(`${apiUrl}/v1/me?x=1`)}`, {
      headers: { authorization: 'Bearer tok-customer', origin: 'http://evil.example' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ method: 'GET', url: '/v1/me?x=1', authorization: 'Bearer tok-customer', origin: null });
    for (const target of ['http://127.0.0.1:1/v1/me', 'http://example.com/', 'file:///etc/passwd', 'not a url']) {
      const res = await fetch(`${hub.url}/docs/proxy?scalar_url=${encodeURIComponent(target)}`);
      expect([400, 403], target).toContain(res.status);
    }
  });

  it('still takes re-drive requests, from the page (a form) and as JSON', async () => {
    const form = await fetch(`${hub.url}/_streams/redrive`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id=p1',
      redirect: 'manual',
    });
    expect(form.status).toBe(303);
    const json = await fetch(`${hub.url}/_streams/redrive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(await json.json()).toEqual({ redriven: 0 });
    expect((await fetch(`${hub.url}/_streams/redrive`, { method: 'POST', body: '[1' })).status).toBe(400);
  });
});

describe('the hub answers this machine only (DNS rebinding, cross-site posts)', () => {
  let mailgun: RunningEmulator;
  let api: Server;
  let apiUrl: string;
  let apiHits = 0;
  let redrives = 0;
  let hub: RunningHub;
  let port: number;

  beforeAll(async () => {
    mailgun = await startEmulator(createMailgunEmulator(), { port: 0 });
    api = createServer((_req, res) => {
      apiHits++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    hub = await startHub([mailgun], {
      docs: { apiUrl, tokens: { customer: 'tok-secret-customer' } },
      streams: { parked: () => [], redrive: () => (redrives++, 0) },
    });
    port = Number(new URL(hub.url).port);
  });

  afterAll(async () => {
    await hub?.close();
    await mailgun?.close();
    await new Promise((r) => api?.close(r));
  });

  /** A request to the hub with exactly these headers (fetch would not let a test set Host). */
  const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it.each(['evil.example', 'rebind.attacker.test:PORT', '127.0.0.1.nip.io:PORT', 'localhost:1', '127.0.0.1', '0.0.0.0:PORT'])(
    'Host %s: 403 for the page, the API reference (tokens) and the state, none of them in the answer',
    async (host) => {
      const headers = { host: host.replace('PORT', String(port)) };
      for (const path of ['/', '/docs', '/_inspect', '/openapi.yaml']) {
        const res = await send('GET', path, headers);
        expect(res.status, path).toBe(403);
        expect(res.text, path).not.toContain('tok-secret-customer');
        expect(res.text, path).toContain('the hub answers only as');
      }
    },
  );

  it.each(['127.0.0.1:PORT', 'localhost:PORT', 'LOCALHOST:PORT', '[::1]:PORT'])('Host %s: the API reference, with its tokens', async (host) => {
    const res = await send('GET', '/docs', { host: host.replace('PORT', String(port)) });
    expect(res.status).toBe(200);
    expect(res.text).toContain('tok-secret-customer');
  });

  it.each(['http://evil.example', 'null', 'http://127.0.0.1:1', 'https://127.0.0.1:PORT'])(
    'a POST with Origin %s is refused (403) and does nothing: no re-drive, no simulation, nothing proxied',
    async (origin) => {
      const headers = { host: `127.0.0.1:${port}`, origin: origin.replace('PORT', String(port)), 'content-type': 'application/x-www-form-urlencoded' };
      const [hits, before] = [apiHits, redrives];
      expect((await send('POST', '/_streams/redrive', headers, 'id=p1')).status).toBe(403);
      expect((await send('POST', '/_vapi/simulate/end-of-call', headers, 'assistantId=a1')).status).toBe(403);
      expect((await send('POST', `/docs/proxy?scalar_url=${encodeURIComponent(`${apiUrl}/v1/public/contact`)}`, { ...headers, 'content-type': 'application/json' }, '{}')).status).toBe(403);
      expect((await send('DELETE', `/docs/proxy?scalar_url=${encodeURIComponent(`${apiUrl}/v1/me`)}`, headers)).status).toBe(403);
      expect([apiHits, redrives]).toEqual([hits, before]);
    },
  );

  it("a POST from the hub's own page (any of its names), or without Origin (curl), is taken", async () => {
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`, undefined]) {
      const headers = { host: `127.0.0.1:${port}`, 'content-type': 'application/json', ...(origin ? { origin } : {}) };
      const before = redrives;
      const res = await send('POST', '/_streams/redrive', headers, '{}');
      expect(res.status, String(origin)).toBe(200);
      expect(redrives).toBe(before + 1);
      const proxied = await send('POST', `/docs/proxy?scalar_url=${encodeURIComponent(`${apiUrl}/v1/public/contact`)}`, headers, '{}');
      expect(proxied.status, String(origin)).toBe(200);
    }
  });
});
