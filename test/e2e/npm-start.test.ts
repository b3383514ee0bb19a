// `npm start` as a person runs it (bin/local.ts in its own process, on free ports): it serves the
// API, writes the stack file, shows the hub page, and on SIGTERM leaves no DynamoDB Local behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fonella-start-'));
const stackFile = join(dir, 'stack.json');
let child: ChildProcess;
let output = '';
let stack: {
  apiUrl: string;
  hubUrl: string;
  emulators: Record<string, string>;
  credentials: Record<string, Record<string, string>>;
  tokens: Record<string, string>;
};

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', EMULATOR_PORT: '0', STACK_FILE: stackFile, STAGE: 'local' },
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
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const javaChildren = () =>
  spawnSync('pgrep', ['-P', String(child.pid), 'java'], { encoding: 'utf8' }).stdout.trim();

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
      ['auth0', 'fonial', 'jambonz', 'mailgun', 'recaptcha', 'secrets', 'sipgate', 'stripe', 'vapi'],
    );
    for (const url of Object.values(stack.emulators)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Object.keys(stack.credentials).sort()).toEqual(Object.keys(stack.emulators).sort());
    expect(output).toContain(stack.tokens.customer);
    expect(output).toContain(`curl ${stack.apiUrl}/v1/health`);
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

  it('stops everything on SIGTERM, DynamoDB Local included', async () => {
    const jvms = javaChildren().split('\n').filter(Boolean).map(Number);
    expect(jvms.length).toBe(1);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The JVM's own pid, not the parent's children: an orphaned JVM would be re-parented and live on.
    expect(alive(jvms[0]!)).toBe(false);
    expect(existsSync(stackFile)).toBe(true);
  });
});
