// `npm start` as a person (or a process manager) runs it: the real npm, on free ports. It serves the
// API, writes the stack file, shows the hub page; a SIGTERM to npm's own pid stops everything,
// DynamoDB Local included, and removes the stack file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUITE_LIMITS } from '../../lib/local/limits';
import { PUBLIC_GATEWAY } from '../support/gateways';
import { postFrom } from '../support/post-from';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fonella-start-'));
const stackFile = join(dir, 'stack.json');
const logDir = join(dir, 'logs');
let child: ChildProcess;
let output = '';
let stack: {
  apiUrl: string;
  hubUrl: string;
  docsUrl: string;
  emulators: Record<string, string>;
  credentials: Record<string, Record<string, string>>;
  tokens: Record<string, string>;
  demoClockId: string;
  logFile: string;
  apiKeys: Record<string, string>;
};

/** Polls until `output` has a line matching `re` (the console's lines follow the answers by a moment). */
async function outputLine(re: RegExp): Promise<string | undefined> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    const found = output.split('\n').find((l) => re.test(l));
    if (found) return found;
  }
  return undefined;
}

/** This process's environment without the suites' high limits (a test stack in this worker may have set them): `npm start` runs on a stage's. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(k in SUITE_LIMITS)));

beforeAll(async () => {
  child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...env, PORT: '0', EMULATOR_PORT: '0', STACK_FILE: stackFile, LOG_DIR: logDir, STAGE: 'local' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 45_000;
  while (!output.includes('Ctrl+C stops everything')) {
    if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  stack = JSON.parse(readFileSync(stackFile, 'utf8'));
}, 60_000);

afterAll(() => {
  for (const pid of [...descendants(child?.pid ?? 0)].reverse()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Every process below `pid` (npm → node → java), parents first. */
function descendants(pid: number): number[] {
  if (!pid) return [];
  const kids = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  return kids.flatMap((k) => [k, ...descendants(k)]);
}
const commandOf = (pid: number) => spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('writes the stack file with the API, every emulator, their credentials and three tokens', () => {
    expect(Object.keys(stack.tokens).sort()).toEqual(['admin', 'customer', 'partner']);
    expect(Object.keys(stack.emulators).sort()).toEqual(
      ['auth0', 'fonial', 'jambonz', 'kms', 'mailgun', 'recaptcha', 's3', 'secrets', 'sipgate', 'sqs', 'stripe', 'vapi'],
    );
    for (const url of Object.values(stack.emulators)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Object.keys(stack.credentials).sort()).toEqual(Object.keys(stack.emulators).sort());
    expect(output).toContain(stack.tokens.customer);
    expect(output).toContain(`curl ${stack.apiUrl}/v1/health`);
    expect(output).toContain(`Node.js        ${process.version}`);
  });

  it("prints a curl that lists the demo customer's calls with its API key, which the stack file holds as apiKeys.customer", async () => {
    expect(stack.apiKeys.customer).toMatch(/^fon_live_[0-9A-Za-z]{43}$/);
    expect(output).toContain(stack.apiKeys.customer);
    const line = output.split('\n').find((l) => l.includes('/v1/me/calls') && l.includes('$KEY'));
    expect(line, output).toContain(`curl ${stack.apiUrl}/v1/me/calls -H "authorization: Bearer $KEY"`);
    expect(output).toContain(`KEY=$(node -p "require('./.local/stack.json').apiKeys.customer")`);
    // What that curl sends:
    const calls = await fetch(`${stack.apiUrl}/v1/me/calls`, { headers: { authorization: `Bearer ${stack.apiKeys.customer}` } });
    expect(calls.status).toBe(200);
    expect(calls.headers.get('ratelimit-policy')).toMatch(/^"per-key";q=\d+;w=60$/);
  });

  it('writes the stack file for its user only (mode 0600): it holds tokens and credentials', () => {
    expect(statSync(stackFile).mode & 0o777).toBe(0o600);
  });

  it('serves the API with the demo tokens', async () => {
    expect((await fetch(`${stack.apiUrl}/v1/health`)).status).toBe(200);
    const me = await fetch(`${stack.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${stack.tokens.customer}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { settings: { userId: string } }).settings.userId).toBe('auth0|demo-customer');
    expect((await fetch(`${stack.apiUrl}/v1/me`)).status).toBe(401);
  });

  it('shows a contact email, rendered, on the hub page', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/public/contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Hub Tester', email: 'hub@example.com', message: 'Seen on the hub <b>page</b>' }),
    });
    expect(res.status).toBe(202);
    // The email goes out from the stream worker, a moment after the answer.
    let page = '';
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
      page = await (await fetch(stack.hubUrl)).text();
      if (page.includes('Contact form: Hub Tester')) break;
    }
    expect(page).toContain('Contact form: Hub Tester');
    expect(page).toContain('Seen on the hub &lt;b&gt;page&lt;/b&gt;');
  });

  it("prints one short line per request and per stream record; the functions' JSON lines go to the run's log file, not the console", async () => {
    // The contact form of the test before: its request, and the worker that sent its email.
    expect(await outputLine(/^\d\d:\d\d:\d\d {2}POST {4}\/v1\/public\/contact {2}202 +\d+ ms {2}public 127\.0\.0\.1 {2}table \d+ \(/)).toBeDefined();
    expect(await outputLine(/ {2}↳ {2}deliverContactEmail {2}INSERT {2}CONTACT#\S+ \/ \S+ {2}done {2}\d+ ms .*mailgun$/)).toBeDefined();
    // A refusal names its problem type.
    await fetch(`${stack.apiUrl}/v1/public/contact`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(await outputLine(/POST {4}\/v1\/public\/contact {2}400 .* validation$/)).toBeDefined();
    expect(output.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
    // The banner comes after the start-up: no request or record line before it.
    expect(output.slice(0, output.indexOf('Ctrl+C stops everything'))).not.toMatch(/ {2}↳ {2}|table \d+ \(/);

    expect(stack.logFile.startsWith(logDir)).toBe(true);
    const lines = readFileSync(stack.logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.message === 'request' && l.route === 'submitContact')).toMatchObject({ level: 'INFO', status: 202, function_name: 'fonella-local-submitContact' });
    expect(lines.some((l) => l.message === 'record done' && l.worker === 'deliverContactEmail')).toBe(true);
  });

  it('npm run -s status prints the URLs, the hub and the tokens from the stack file', () => {
    const status = spawnSync('npm', ['run', '-s', 'status'], { cwd: root, env: { ...env, STACK_FILE: stackFile }, encoding: 'utf8' });
    expect(status.status, status.stderr).toBe(0);
    for (const text of [stack.apiUrl, stack.hubUrl, stack.docsUrl, stack.tokens.customer, stack.tokens.admin, stack.tokens.partner, stack.logFile]) expect(status.stdout).toContain(text);
    const none = spawnSync('npm', ['run', '-s', 'status'], { cwd: root, env: { ...env, STACK_FILE: join(dir, 'none.json') }, encoding: 'utf8' });
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('npm start');
  });

  it('shows a placed call and a provisioned device on the hub page, and every emulator answers /_inspect', async () => {
    const vapi = (path: string, body: object) =>
      fetch(`${stack.emulators.vapi}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.credentials.vapi!.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const assistant = (await (await vapi('/assistant', { name: 'Hub test' })).json()) as { id: string };
    const line = (await (await vapi('/phone-number', { provider: 'vapi', assistantId: assistant.id })).json()) as { id: string };
    const call = await vapi('/call', { assistantId: assistant.id, phoneNumberId: line.id, customer: { number: '+4930123456789' } });
    expect(call.status).toBe(201);
    const page = await (await fetch(stack.hubUrl)).text();
    expect(page).toContain('Calls placed (1)');
    expect(page).toContain('+4930123456789');
    expect(page).toMatch(/Provisioned resources \(\d+\)/);
    expect(page).toContain('Fonella trunk');
    for (const [name, url] of Object.entries(stack.emulators)) {
      const res = await fetch(`${url}/_inspect`);
      expect(res.status, name).toBe(200);
      const state = (await res.json()) as Record<string, unknown>;
      expect(Object.values(state).some(Array.isArray), name).toBe(true);
    }
  });

  it('the demo customer subscribes, pays, changes plan, registers a device, changes settings and creates the assistant: the hub shows it with its pool number', async () => {
    const as = (method: string, path: string, body: unknown) =>
      fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${stack.tokens.customer}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const me = async () => (await (await fetch(`${stack.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${stack.tokens.customer}` } })).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const subscribed = await as('POST', '/v1/me/subscription', { planId: 'starter' });
    expect(subscribed.status).toBe(201);
    const { subscriptionId } = (await subscribed.json()) as { subscriptionId: string };
    // The portal's payment confirmation, as the hub's button does it; Stripe's events then reach the webhook.
    const paid = await fetch(`${stack.emulators.stripe}/_simulate/payment-succeeded`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subscriptionId }),
    });
    expect(paid.status).toBe(200);
    for (const deadline = Date.now() + 5000; Date.now() < deadline && (await me()).subscription?.status !== 'active'; ) await new Promise((r) => setTimeout(r, 50));
    expect((await me()).subscription).toMatchObject({ planId: 'starter', status: 'active' });
    expect((await as('POST', '/v1/me/subscription/plan-change', { targetPlanId: 'business' })).status).toBe(200);
    const stripeState = (await (await fetch(`${stack.emulators.stripe}/_inspect`)).json()) as { subscriptions: { id: string; items: { data: { price: { id: string } }[] } }[] };
    expect(stripeState.subscriptions.find((x) => x.id === subscriptionId)?.items.data[0]?.price.id).toBe('price_business');

    expect((await as('POST', '/v1/me/devices', { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0', platform: 'web' })).status).toBe(200);
    expect((await as('PATCH', '/v1/me/settings', { timezone: 'Europe/Vienna', locale: 'en' })).status).toBe(200);
    const res = await as('PUT', '/v1/me/assistant', { greeting: 'Demo GmbH, good morning!', language: 'en' });
    expect(res.status).toBe(200);
    const assistant = (await res.json()) as { assistantId: string; phoneNumber: { status: string; number: string } };
    // The demo customer's plan includes a number, and the start imported the trunk's numbers into the pool.
    expect(assistant.phoneNumber).toMatchObject({ status: 'connecting', number: expect.stringMatching(/^\+49/) });
    // The number is bound in Vapi by a stream worker, a moment after the answer.
    let row = '';
    for (const deadline = Date.now() + 5000; Date.now() < deadline && !row.includes(assistant.phoneNumber.number); await new Promise((r) => setTimeout(r, 50))) {
      const page = await (await fetch(stack.hubUrl)).text();
      row = page.split('<tr>').find((r) => r.includes('Fonella: Demo Customer')) ?? '';
    }
    expect(row).toContain(`<td>${assistant.phoneNumber.number}</td>`);
    const profile = await me();
    expect(profile.settings).toMatchObject({ timezone: 'Europe/Vienna', locale: 'en' });
    expect(profile.subscription).toMatchObject({ planId: 'business', status: 'active' });
    expect(profile.assistant.phoneNumber).toEqual({ status: 'active', number: assistant.phoneNumber.number });
    expect(profile.devicesCount).toBe(1);

    // A call to the assistant: the Vapi emulator posts the end-of-call report to our webhook; the summary
    // email shows on the hub and the call through the API.
    const simulated = await fetch(`${stack.emulators.vapi}/_simulate/end-of-call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assistantId: assistant.assistantId, summary: 'A caller asked for opening hours.' }),
    });
    const { callId } = (await simulated.json()) as { callId: string };
    let hub = '';
    for (const deadline = Date.now() + 5000; Date.now() < deadline && !hub.includes('A caller asked for opening hours.'); await new Promise((r) => setTimeout(r, 50))) {
      hub = await (await fetch(stack.hubUrl)).text();
    }
    expect(hub).toContain('A caller asked for opening hours.');
    const call = await fetch(`${stack.apiUrl}/v1/me/calls/${callId}`, { headers: { authorization: `Bearer ${stack.tokens.customer}` } });
    expect(call.status).toBe(200);
    expect(((await call.json()) as { summary: string }).summary).toBe('A caller asked for opening hours.');

    // Phone lines: the customer's own SIP trunk and a number on the Sipgate account, each visible at the
    // providers (and so on the hub) while it exists, and gone after its removal.
    const inspect = async (name: string) => (await (await fetch(`${stack.emulators[name]}/_inspect`)).json()) as Record<string, Record<string, unknown>[]>;
    const external = await as('POST', '/v1/me/integrations', {
      mode: 'external', gateway: PUBLIC_GATEWAY.ipv4, port: 5060, inboundEnabled: true, authUsername: 'demo', authPassword: 'demo-sip-pass', phoneNumber: '+4930555000111',
    });
    expect(external.status).toBe(201);
    const sipgate = await as('POST', '/v1/me/integrations', { mode: 'sipgate', phoneNumber: '+4930555022222', alias: 'Demo line' });
    expect(sipgate.status).toBe(201);
    expect((await inspect('vapi')).phoneNumbers!.map((p) => p.number)).toEqual(expect.arrayContaining(['+4930555000111', '+4930555022222']));
    expect((await inspect('sipgate')).devices!.some((d) => d.alias === 'Demo line')).toBe(true);
    expect((await (await fetch(stack.hubUrl)).text())).toContain('Demo line');
    expect((await as('DELETE', '/v1/me/integrations?externalOnly=1', undefined)).status).toBe(204);
    expect((await as('DELETE', '/v1/me/integrations?fonellaSipgateOnly=true', undefined)).status).toBe(204);
    expect((await inspect('vapi')).phoneNumbers!.map((p) => p.number)).not.toContain('+4930555000111');
    expect((await inspect('vapi')).phoneNumbers!.map((p) => p.number)).not.toContain('+4930555022222');
    expect((await inspect('sipgate')).devices!.some((d) => d.alias === 'Demo line')).toBe(false);
    expect(JSON.stringify(await me())).not.toContain('demo-sip-pass');
  });

  it("a month passes on the hub's clock control: the demo customer's subscription renews, and a downgrade scheduled to Starter (no number) takes effect with the number back in the pool", async () => {
    const auth = { authorization: `Bearer ${stack.tokens.customer}`, 'content-type': 'application/json' };
    const me = async () => (await (await fetch(`${stack.apiUrl}/v1/me`, { headers: auth })).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const json = async (url: string) => (await (await fetch(url)).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const until = async <T>(what: string, probe: () => Promise<T | undefined | false>) => {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        const v = await probe();
        if (v) return v;
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    const mails = async (tag: string) => ((await json(`${stack.emulators.mailgun}/_inspect`)).messages as { tags: string[]; to: string[]; text: string }[]).filter((m) => m.tags.includes(tag));

    // Where the demo customer's test above left them: on Business, with their pool number.
    const before = await me();
    expect(before.subscription).toMatchObject({ planId: 'business', status: 'active' });
    const number = before.assistant.phoneNumber.number as string;
    const periodEnd = before.subscription.currentPeriodEnd as string;
    const plans = (await json(`${stack.apiUrl}/v1/public/plans`)).plans as { id: string; includesPoolNumber: boolean }[];
    expect(plans.find((p) => p.id === 'starter')!.includesPoolNumber).toBe(false);

    const down = await fetch(`${stack.apiUrl}/v1/me/subscription/plan-change`, { method: 'POST', headers: auth, body: JSON.stringify({ targetPlanId: 'starter' }) });
    expect(((await down.json()) as Record<string, unknown>).pendingChange).toMatchObject({ planId: 'starter', effectiveAt: periodEnd });
    const [announced] = await until('the release email', async () => {
      const sent = await mails('number-release');
      return sent.length > 0 && sent;
    });
    expect(announced!.to).toEqual(['customer@demo.fonella.local']);
    expect(announced!.text).toContain(`Number: ${number}`);
    const vapiNumber = ((await json(`${stack.emulators.vapi}/_inspect`)).phoneNumbers as { id: string; number: string }[]).find((p) => p.number === number);
    expect(vapiNumber).toBeDefined();

    // The hub's "Advance one month" beside the demo customer's clock.
    const advanced = await fetch(`${stack.hubUrl}/_stripe/simulate/advance-clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clockId: stack.demoClockId }) });
    expect(advanced.status).toBe(200);
    const { events } = (await advanced.json()) as { events: { type: string }[] };
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['subscription_schedule.updated', 'customer.subscription.updated', 'invoice.paid']));

    const after = await until('the downgrade in force and the number given back', async () => {
      const m = await me();
      return m.subscription.planId === 'starter' && m.assistant.phoneNumber === null && m;
    });
    expect(after.subscription).toMatchObject({ status: 'active', pendingChange: null });
    expect(Date.parse(after.subscription.currentPeriodEnd)).toBeGreaterThan(Date.parse(periodEnd));
    expect(after.integrations.filter((i: { kind: string }) => i.kind === 'pool')).toEqual([]);
    const pool = (await (await fetch(`${stack.apiUrl}/v1/admin/pool-numbers`, { headers: { authorization: `Bearer ${stack.tokens.admin}` } })).json()) as { items: { number: string; status: string }[] };
    expect(pool.items.find((i) => i.number === number)).toMatchObject({ status: 'free' });
    expect(((await json(`${stack.emulators.vapi}/_inspect`)).phoneNumbers as { id: string }[]).find((p) => p.id === vapiNumber!.id)).toBeUndefined();
    expect(await mails('number-release')).toHaveLength(1);
    expect(await mails('number-kept')).toEqual([]);
  });

  it("behaves like a stage: ten test callbacks from one address in an hour are placed, the eleventh is 429, and reCAPTCHA stays optional", async () => {
    const hour = () => Math.floor(Date.now() / 3_600_000);
    // The limit counts per clock hour: a run that the hour turned in the middle of is made again from
    // another address.
    for (const from of ['127.0.0.90', '127.0.0.91']) {
      const started = hour();
      const answers = [];
      for (let i = 0; i <= 10; i++) {
        // Another number each time: a number takes three a day (its own limit); no reCAPTCHA token.
        answers.push(await postFrom(stack, from, '/v1/public/callback-requests', { phoneNumber: `+49170765${from.slice(-2)}${String(i).padStart(2, '0')}`, locale: 'en' }));
      }
      if (hour() !== started) continue;
      expect(answers.map((a) => a.status)).toEqual([...Array(10).fill(202), 429]);
      expect(answers[10]!.body).toMatchObject({ type: 'urn:fonella:problem:rate-limited' });
      expect(Number(answers[10]!.headers['retry-after'])).toBeGreaterThan(0);
      const { calls } = (await (await fetch(`${stack.emulators.vapi}/_inspect`)).json()) as { calls: { customer: { number: string } }[] };
      expect(calls.filter((c) => c.customer.number.startsWith(`+49170765${from.slice(-2)}`))).toHaveLength(10);
      return;
    }
    throw new Error('the clock hour turned during both runs');
  });

  it('the hub shows how to get a reCAPTCHA token from the emulator: a ticket with one passes the check, a low score is refused', async () => {
    const page = await (await fetch(stack.hubUrl)).text();
    const section = /<section id="recaptcha">([\s\S]*?)<\/section>/.exec(page)?.[1] ?? '';
    expect(section).toContain('RECAPTCHA_OPTIONAL=1');
    // The command the hub prints, run as printed: its URL and its body.
    const command = (/<pre>(curl [^<]+)<\/pre>/.exec(section)?.[1] ?? '').replaceAll('&#39;', "'").replaceAll('&quot;', '"');
    const url = /-X POST (\S+)/.exec(command)?.[1];
    const body = /-d '([^']+)'/.exec(command)?.[1];
    expect(url).toBe(`${stack.emulators.recaptcha}/_token`);
    const { token } = (await (await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()) as { token: string };
    const ticket = (recaptchaToken: string) =>
      fetch(`${stack.apiUrl}/v1/public/support-tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ada@example.com', title: 'Checked', content: 'With a token.', ticketPriority: 'minor', recaptchaToken }),
      });
    expect((await ticket(token)).status).toBe(201);
    const low = await ticket('pass:support_ticket:0.2');
    expect(low.status).toBe(403);
    expect(((await low.json()) as { type: string }).type).toBe('urn:fonella:problem:recaptcha-low-score');
  });

  it('links the API reference: in the output, the stack file and the hub; it serves the document and the viewer', async () => {
    expect(stack.docsUrl).toBe(`${stack.hubUrl}/docs`);
    expect(output).toContain(`API reference  ${stack.docsUrl}`);
    expect(await (await fetch(stack.hubUrl)).text()).toContain('href="/docs"');
    const docs = await (await fetch(stack.docsUrl)).text();
    expect(docs).toContain('/docs/scalar.js');
    expect(docs).toContain(JSON.stringify(stack.apiUrl));
    expect(docs).toContain(stack.tokens.customer);
    const spec = await fetch(`${stack.hubUrl}/openapi.yaml`);
    expect(spec.status).toBe(200);
    expect(await spec.text()).toContain('openapi: 3.1.0');
    expect((await fetch(`${stack.hubUrl}/docs/scalar.js`)).status).toBe(200);
  });

  it('a second start on the same ports says which port is taken and how to move, without a stack trace', () => {
    const second = spawnSync(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
      cwd: root,
      env: { ...env, PORT: new URL(stack.apiUrl).port, EMULATOR_PORT: '0', STACK_FILE: join(dir, 'second.json'), STAGE: 'local' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`port ${new URL(stack.apiUrl).port} (the API) is already in use`);
    expect(second.stderr).toContain('PORT=');
    expect(second.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'second.json'))).toBe(false);
  });

  it('npm run -s token prints a token alone; --help and unknown options print the usage', () => {
    const run = (...args: string[]) =>
      spawnSync('npm', ['run', '-s', 'token', '--', ...args], { cwd: root, env: { ...process.env, STACK_FILE: stackFile }, encoding: 'utf8' });
    const ok = run('--sub', 'auth0|someone', '--partner', '--hours', '2');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const claims = JSON.parse(Buffer.from(ok.stdout.split('.')[1]!, 'base64url').toString()) as { sub: string; permissions: string[] };
    expect(claims).toMatchObject({ sub: 'auth0|someone', permissions: ['partner'] });
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--partner');
    const bad = run('--bogus');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage:');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it("stops everything on a SIGTERM to npm's own pid, DynamoDB Local included, and removes the stack file", async () => {
    const below = descendants(child.pid!);
    const jvms = below.filter((p) => commandOf(p).startsWith('java'));
    expect(jvms.length).toBe(1);
    expect(below.some((p) => commandOf(p).includes('bin/local.ts'))).toBe(true);
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
    // Every process that was below npm, the JVM's own pid included: an orphan would be re-parented and live on.
    const deadline = Date.now() + 10_000;
    while (below.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(below.filter(alive).map(commandOf)).toEqual([]);
    expect(existsSync(stackFile)).toBe(false);
  });
});
