// The secrets loader (shared/config/secrets.ts) against the emulator of the AWS Parameters and Secrets
// Lambda Extension, over HTTP: it copies exactly the keys a function names into its environment,
// reads nothing when they are set, waits out an extension that is not ready yet, fails fast on a
// wrong token or an unknown secret, within its budget on a silent or absent extension, and no error
// or output of it holds a secret's value. Then the order that makes a top-level await enough: the
// shared stack's load has finished before a handler file's body reads its config.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { esbuildOptions } from '../../lib/bundling';
import { createSecretsEmulator } from '../../lib/local/emulators/secrets';
import { loadSecrets, secretValues, SecretsError } from '../../shared/config/secrets';
import { useEmulator } from '../support/emulator';

const NAME = 'fonella/test/providers';
const TOKEN = 'test-session-token-4f1d2c';
const VALUES = {
  MAILGUN_API_KEY: 'key-from-the-secret-7c1e9a',
  RECAPTCHA_SECRET: 'recaptcha-from-the-secret-2b8d',
  STRIPE_SECRET_KEY: 'sk_test_from_the_secret_91f3',
};
const emu = useEmulator(createSecretsEmulator({ token: TOKEN, secrets: { [NAME]: VALUES } }));
type State = { secrets: { name: string; keys: string[] }[] };
/** Reads of the secret endpoint since the emulator started (refused ones too). */
const reads = () => emu.running.stats().byPath['GET /secretsmanager/get'] ?? 0;

/** A function's environment as CDK (or the local stack) sets it, pointed at the emulator. */
const envFor = (keys: string[], over: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  SECRET_KEYS: keys.join(','),
  PROVIDER_SECRET_NAME: NAME,
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(emu.running.port),
  AWS_SESSION_TOKEN: TOKEN,
  ...over,
});

/** Everything written to the console and the process streams while `fns` run, and what they throw. */
async function output(...fns: (() => Promise<unknown>)[]): Promise<string> {
  const written: string[] = [];
  const spies = [
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void written.push(a.map(String).join(' ')))),
    ...[process.stdout, process.stderr].map((s) =>
      vi.spyOn(s, 'write').mockImplementation(((chunk: unknown) => (written.push(String(chunk)), true)) as never),
    ),
  ];
  try {
    for (const fn of fns) await fn().catch((e: unknown) => written.push(`thrown: ${(e as Error).message}`));
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return written.join('\n');
}

const noValueIn = (text: string) => {
  for (const v of [...Object.values(VALUES), TOKEN]) expect(text).not.toContain(v);
};

describe('loadSecrets against the extension emulator', () => {
  it('copies exactly the keys SECRET_KEYS names, nothing else of the secret, and returns names only', async () => {
    const env = envFor(['MAILGUN_API_KEY', 'RECAPTCHA_SECRET']);
    const before = reads();
    const result = await loadSecrets({ env });
    expect(result).toEqual({ secretId: NAME, loaded: ['MAILGUN_API_KEY', 'RECAPTCHA_SECRET'], attempts: 1 });
    expect(env.MAILGUN_API_KEY).toBe(VALUES.MAILGUN_API_KEY);
    expect(env.RECAPTCHA_SECRET).toBe(VALUES.RECAPTCHA_SECRET);
    expect(env.STRIPE_SECRET_KEY).toBeUndefined();
    expect(reads() - before).toBe(1);
    // The emulator shows names and key names, never a value.
    const state = await emu.inspect<State>();
    expect(state.secrets).toEqual([expect.objectContaining({ name: NAME, keys: Object.keys(VALUES).sort() })]);
    noValueIn(JSON.stringify(state));
  });

  it('leaves a key that is set alone, and reads nothing when every key is set or none is named', async () => {
    const env = envFor(['MAILGUN_API_KEY', 'RECAPTCHA_SECRET'], { MAILGUN_API_KEY: 'set-by-the-stack' });
    const before = reads();
    expect((await loadSecrets({ env })).loaded).toEqual(['RECAPTCHA_SECRET']);
    expect(env.MAILGUN_API_KEY).toBe('set-by-the-stack');
    expect(reads() - before).toBe(1);

    expect(await loadSecrets({ env })).toEqual({ loaded: [], attempts: 0 });
    expect(await loadSecrets({ env: { ...envFor([]), SECRET_KEYS: '' } })).toEqual({ loaded: [], attempts: 0 });
    expect(await loadSecrets({ env: {} })).toEqual({ loaded: [], attempts: 0 });
    expect(reads() - before).toBe(1);
  });

  it('waits out an extension that answers "not ready to serve traffic" while the sandbox starts', async () => {
    await emu.fault({ mode: 'error', count: 2 });
    const env = envFor(['MAILGUN_API_KEY']);
    expect(await loadSecrets({ env })).toMatchObject({ loaded: ['MAILGUN_API_KEY'], attempts: 3 });
    expect(env.MAILGUN_API_KEY).toBe(VALUES.MAILGUN_API_KEY);
  });

  it('refuses a wrong or missing token at once, naming the secret, and sets nothing', async () => {
    const env = envFor(['MAILGUN_API_KEY'], { AWS_SESSION_TOKEN: 'not-the-session-token' });
    await expect(loadSecrets({ env })).rejects.toThrow(new SecretsError(`Secrets: reading ${NAME} through the extension failed: HTTP 401: Unauthorized`));
    expect(env.MAILGUN_API_KEY).toBeUndefined();
    await expect(loadSecrets({ env: envFor(['MAILGUN_API_KEY'], { AWS_SESSION_TOKEN: undefined }) })).rejects.toThrow(/AWS_SESSION_TOKEN is not set/);
    await expect(loadSecrets({ env: envFor(['MAILGUN_API_KEY'], { PROVIDER_SECRET_NAME: undefined }) })).rejects.toThrow(
      'SECRET_KEYS names MAILGUN_API_KEY but PROVIDER_SECRET_NAME is not set',
    );
  });

  it('fails at once on an unknown secret and on a key the secret lacks, naming them', async () => {
    await expect(loadSecrets({ env: envFor(['MAILGUN_API_KEY'], { PROVIDER_SECRET_NAME: 'fonella/nope' }) })).rejects.toThrow(
      /fonella\/nope .*HTTP 400: .*ResourceNotFoundException/,
    );
    const env = envFor(['MAILGUN_API_KEY', 'VAPI_API_KEY']);
    await expect(loadSecrets({ env })).rejects.toThrow(new SecretsError(`Secrets: ${NAME} has no VAPI_API_KEY`));
    expect(env.MAILGUN_API_KEY).toBeUndefined();
  });

  it('times out on an extension that never answers, within its budget', async () => {
    await emu.fault({ mode: 'timeout' });
    const started = performance.now();
    await expect(loadSecrets({ env: envFor(['MAILGUN_API_KEY']), timeoutMs: 300 })).rejects.toThrow(
      `Secrets: reading ${NAME} through the extension timed out after 300 ms`,
    );
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('retries a refused connection (no extension listening) until its budget, then says so', async () => {
    const port = await closedPort();
    const started = performance.now();
    await expect(loadSecrets({ env: envFor(['MAILGUN_API_KEY'], { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port) }), timeoutMs: 300 })).rejects.toThrow(
      /could not read fonella\/test\/providers through the extension within 300 ms \(\d+ attempts, last: ECONNREFUSED\)/,
    );
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1500);
  });

  it('writes nothing, and no error holds a value, even from a secret that is not JSON', async () => {
    const text = await output(
      () => loadSecrets({ env: envFor(['MAILGUN_API_KEY', 'RECAPTCHA_SECRET']) }),
      () => loadSecrets({ env: envFor(['MAILGUN_API_KEY', 'NOT_THERE']) }),
      () => loadSecrets({ env: envFor(['MAILGUN_API_KEY'], { AWS_SESSION_TOKEN: 'wrong' }) }),
    );
    expect(text.split('\n')).toEqual([
      `thrown: Secrets: ${NAME} has no NOT_THERE`,
      `thrown: Secrets: reading ${NAME} through the extension failed: HTTP 401: Unauthorized`,
    ]);
    noValueIn(text);
    // JSON.parse's own message would quote the text it failed on: the secret itself.
    for (const answer of [`{"SecretString":"${VALUES.MAILGUN_API_KEY}"}`, `not json ${VALUES.MAILGUN_API_KEY}`]) {
      let message = '';
      try {
        secretValues(NAME, answer);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^Secrets: /);
      noValueIn(message);
    }
  });
});

describe('a shared stack module loads the secrets before the handler file body reads its config', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    Object.assign(process.env, envFor(['MAILGUN_API_KEY', 'RECAPTCHA_SECRET']));
    delete process.env.MAILGUN_API_KEY;
    delete process.env.RECAPTCHA_SECRET;
  });
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('the stream worker stack (shared/streams/worker.ts): the Mailgun adapter gets the key from the secret', async () => {
    // Nothing of the handler's graph is loaded yet in this file: importing it runs the top-level await.
    await import('../../functions/streams/deliver-contact-email');
    const { mailConfig } = await import('../../shared/config/mail');
    // The handler file's body built its mailer with this config, already memoised: from the secret,
    // not the local default.
    expect(mailConfig().apiKey).toBe(VALUES.MAILGUN_API_KEY);
    expect(process.env.RECAPTCHA_SECRET).toBe(VALUES.RECAPTCHA_SECRET);
  });

  it('the bundle CDK ships (esbuild, ESM, node24) keeps the top-level await: its import resolves with the secret read', async () => {
    const outfile = join(tmpdir(), `fonella-secrets-bundle-${process.pid}.mjs`);
    try {
      await build(esbuildOptions(new URL('../../functions/streams/deliver-contact-email.ts', import.meta.url).pathname, outfile));
      const script = `await import(${JSON.stringify(pathToFileURL(outfile).href)});process.stdout.write(String(process.env.MAILGUN_API_KEY));`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, STAGE: 'test', POWERTOOLS_LOG_LEVEL: 'SILENT', ...envFor(['MAILGUN_API_KEY']) },
      });
      expect(stdout).toBe(VALUES.MAILGUN_API_KEY);
    } finally {
      rmSync(outfile, { force: true });
    }
  });

  it('the route stack (shared/http/route.ts) loads them too', async () => {
    delete process.env.MAILGUN_API_KEY;
    const before = reads();
    await import('../../functions/public/get-health');
    expect(process.env.MAILGUN_API_KEY).toBe(VALUES.MAILGUN_API_KEY);
    expect(reads() - before).toBe(1);
  });
});

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
