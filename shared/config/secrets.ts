// Provider secrets, read at run time. A deployed function's configuration holds no secret: CDK gives
// it the name of the stage's secret (PROVIDER_SECRET_NAME), the keys it may read (SECRET_KEYS, from
// its manifest entry's `uses`) and the AWS Parameters and Secrets Lambda Extension, a layer that
// serves Secrets Manager on localhost (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, 2773) to callers that
// show the function's AWS_SESSION_TOKEN. At cold start, before any config getter parses
// process.env, `loadSecrets()` reads the secret once through it and copies exactly those keys into
// process.env; the config sections then read them like any other variable. The shared stacks call it
// with a top-level await (shared/http/route.ts, shared/streams/worker.ts), which finishes before the
// body of the handler file importing them builds its adapters.
//
// A key already set is left as it is, and when every key is set nothing is read (a test may set them
// directly). Locally the stack runs an emulator of the extension (lib/local/emulators/secrets)
// serving its credentials as the stage secret, so this same code runs there and in the tests.
//
// node:http rather than fetch: a process's first fetch loads undici. Measured on the worker's bundle
// against the emulator, the read added ~39 ms to the load with fetch, ~11 ms with node:http (which
// the AWS SDK and the provider SDKs load anyway). Nothing here logs, and no error holds a value:
// only the secret's name and key names.
//
// node:http is taken with process.getBuiltinModule when a read is due, not imported: Node builds an
// ES module facade of a builtin imported from ESM by reading every export, and node:http's lazy
// getters then load undici, ~17 ms of CPU at every cold start (measured on listPlans' bundle), even
// in a function that reads no secret.

/** The extension's default port. */
export const SECRETS_EXTENSION_PORT = 2773;
/** The whole budget of one load, retries included: well inside Lambda's 10 s init phase. */
export const SECRETS_TIMEOUT_MS = 3000;

export class SecretsError extends Error {
  override name = 'SecretsError';
}

export interface LoadSecretsOptions {
  /** Where the settings are read and the values written; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The whole budget, retries included; default SECRETS_TIMEOUT_MS. */
  timeoutMs?: number;
}

export interface LoadedSecrets {
  /** The secret read; undefined when nothing had to be read. */
  secretId?: string;
  /** The keys copied into the environment (names only). */
  loaded: string[];
  /** Requests made to the extension (it may answer "not ready" while the sandbox starts). */
  attempts: number;
}

/** The keys a function reads from the stage secret (SECRET_KEYS, comma-separated). */
export function secretKeys(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.SECRET_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

/**
 * Reads the stage secret through the extension and copies the keys in SECRET_KEYS that are not set
 * yet into the environment. Does nothing when SECRET_KEYS is empty or all its keys are set.
 */
export async function loadSecrets(opts: LoadSecretsOptions = {}): Promise<LoadedSecrets> {
  const env = opts.env ?? process.env;
  const missing = secretKeys(env).filter((k) => !env[k]);
  if (missing.length === 0) return { loaded: [], attempts: 0 };

  const secretId = env.PROVIDER_SECRET_NAME;
  if (!secretId) throw new SecretsError(`Secrets: SECRET_KEYS names ${missing.join(', ')} but PROVIDER_SECRET_NAME is not set`);
  const port = Number(env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? SECRETS_EXTENSION_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SecretsError('Secrets: PARAMETERS_SECRETS_EXTENSION_HTTP_PORT must be a port number');
  }
  const token = env.AWS_SESSION_TOKEN;
  if (!token) throw new SecretsError(`Secrets: cannot read ${secretId}: AWS_SESSION_TOKEN is not set (the extension requires it)`);

  const url = `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`;
  const { body, attempts } = await readWithRetries(url, token, secretId, opts.timeoutMs ?? SECRETS_TIMEOUT_MS);
  const values = secretValues(secretId, body);
  const absent = missing.filter((k) => typeof values[k] !== 'string' || values[k] === '');
  if (absent.length > 0) throw new SecretsError(`Secrets: ${secretId} has no ${absent.join(', ')}`);
  for (const k of missing) env[k] = values[k] as string;
  return { secretId, loaded: missing, attempts };
}

/**
 * The key/value pairs of an extension answer (`{ SecretString: '<json object>', ... }`). Parse errors
 * are replaced, not wrapped: JSON.parse quotes the text it failed on, and that text is the secret.
 */
export function secretValues(secretId: string, answer: string): Record<string, unknown> {
  let outer: unknown;
  try {
    outer = JSON.parse(answer);
  } catch {
    throw new SecretsError(`Secrets: the extension's answer for ${secretId} is not JSON`);
  }
  const text = (outer as { SecretString?: unknown } | null)?.SecretString;
  if (typeof text !== 'string') throw new SecretsError(`Secrets: ${secretId} has no SecretString (a binary secret?)`);
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch {
    values = undefined;
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new SecretsError(`Secrets: ${secretId} is not a JSON object of key/value pairs`);
  }
  return values as Record<string, unknown>;
}

interface Answer {
  status: number;
  body: string;
}

/**
 * GETs `url` until it answers 2xx or the budget is spent. Retried: a refused or reset connection and
 * a 400 "not ready to serve traffic" (the runtime's init may start before the extension listens), a
 * 429 and 5xx. Anything else (a wrong token, an unknown secret, access denied) fails at once.
 */
async function readWithRetries(url: string, token: string, secretId: string, timeoutMs: number): Promise<{ body: string; attempts: number }> {
  const deadline = performance.now() + timeoutMs;
  let attempts = 0;
  let pause = 10;
  let last = '';
  const spent = () =>
    new SecretsError(
      last
        ? `Secrets: could not read ${secretId} through the extension within ${timeoutMs} ms (${attempts} attempts, last: ${last})`
        : `Secrets: reading ${secretId} through the extension timed out after ${timeoutMs} ms`,
    );
  for (;;) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) throw spent();
    attempts += 1;
    let answer: Answer;
    try {
      answer = await get(url, token, remaining);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.name === 'AbortError' || e.name === 'TimeoutError') throw spent();
      if (!RETRIED_CODES.has(e.code ?? '')) throw new SecretsError(`Secrets: reading ${secretId} through the extension failed: ${e.code ?? e.name}`);
      last = e.code!;
      await sleep(Math.min(pause, deadline - performance.now()));
      pause = Math.min(pause * 2, 200);
      continue;
    }
    if (answer.status >= 200 && answer.status < 300) return { body: answer.body, attempts };
    const transient = (answer.status === 400 && /not ready/i.test(answer.body)) || answer.status === 429 || answer.status >= 500;
    if (!transient) {
      throw new SecretsError(`Secrets: reading ${secretId} through the extension failed: HTTP ${answer.status}${brief(answer.body)}`);
    }
    last = `HTTP ${answer.status}`;
    await sleep(Math.min(pause, deadline - performance.now()));
    pause = Math.min(pause * 2, 200);
  }
}

/** Connection failures worth another attempt: the extension is not listening yet, or dropped us. */
const RETRIED_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** An error answer's first line, short (the extension's and Secrets Manager's own words, never a value). */
function brief(body: string): string {
  const line = body.trim().split('\n')[0]!.slice(0, 160);
  return line ? `: ${line}` : '';
}

function get(url: string, token: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // No keep-alive: the socket must not hold a process (or a frozen sandbox) open after init.
    const { request } = process.getBuiltinModule('node:http');
    const req = request(url, { agent: false, headers: { 'X-Aws-Parameters-Secrets-Token': token }, signal: AbortSignal.timeout(Math.ceil(timeoutMs)) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
