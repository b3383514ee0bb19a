// The fetch-based call every plain-HTTP adapter (fonial, jambonz, Sipgate, reCAPTCHA) makes: a
// timeout on every call, bounded retries for idempotent calls only, and provider answers turned into
// our typed errors. SDK-based adapters use `callProvider` for the same error mapping.
import {
  ProviderError,
  ProviderUnavailableError,
  providerErrorFromStatus,
  type ProviderName,
} from '../errors';

export interface RetryPolicy {
  /** Extra attempts after the first (idempotent calls only). */
  retries: number;
  /** First backoff in ms; doubles per attempt, capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 2, baseDelayMs: 100, maxDelayMs: 1000 };
export const DEFAULT_TIMEOUT_MS = 8000;

export interface ProviderHttpOptions {
  provider: ProviderName;
  baseUrl: string;
  /** Headers sent with every request (auth). */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  timeoutMs?: number;
  retry?: RetryPolicy;
}

export interface ProviderRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Whether a retry is safe; defaults to true for GET, PUT and DELETE, false otherwise. */
  idempotent?: boolean;
}

export interface ProviderResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export function providerHttp(opts: ProviderHttpOptions) {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retry = opts.retry ?? DEFAULT_RETRY;
  const base = opts.baseUrl.replace(/\/+$/, '');

  async function request<T = unknown>(operation: string, r: ProviderRequest): Promise<ProviderResponse<T>> {
    const url = new URL(base + r.path);
    for (const [k, v] of Object.entries(r.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const idempotent = r.idempotent ?? (r.method === 'GET' || r.method === 'PUT' || r.method === 'DELETE');
    const headers: Record<string, string> = { accept: 'application/json', ...(await opts.headers?.()), ...r.headers };
    let body: string | undefined;
    if (r.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(r.json);
    } else if (r.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(r.form).toString();
    }

    const attempts = idempotent ? retry.retries + 1 : 1;
    let last: ProviderError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(backoff(retry, attempt, last?.retryAfterSeconds));
      let res: Response;
      try {
        res = await fetch(url, { method: r.method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (cause) {
        last = new ProviderUnavailableError(opts.provider, operation, { cause: describe(cause) });
        continue;
      }
      const text = await res.text().catch(() => '');
      if (res.ok) return { status: res.status, body: parse(text) as T, headers: res.headers };
      last = providerErrorFromStatus(opts.provider, operation, res.status, {
        retryAfterSeconds: retryAfter(res.headers),
      });
      if (!(res.status >= 500 || res.status === 429 || res.status === 408)) break;
    }
    throw last!;
  }

  return { request };
}

/** Runs one SDK call, mapping whatever it throws to our typed errors, with a hard timeout. */
export async function callProvider<T>(
  provider: ProviderName,
  operation: string,
  fn: (signal: AbortSignal) => Promise<T>,
  opts: { timeoutMs?: number; retry?: RetryPolicy; idempotent?: boolean } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retry = opts.retry ?? DEFAULT_RETRY;
  const attempts = opts.idempotent ? retry.retries + 1 : 1;
  let last: ProviderError | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(backoff(retry, attempt, last?.retryAfterSeconds));
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new ProviderUnavailableError(provider, operation, { cause: `timed out after ${timeoutMs} ms` }));
      }, timeoutMs);
    });
    try {
      return await Promise.race([fn(controller.signal), timeout]);
    } catch (err) {
      last = err instanceof ProviderError ? err : toProviderError(provider, operation, err);
      const status = statusOf(err);
      const transient = status === undefined || status >= 500 || status === 429 || status === 408;
      if (!transient) break;
    } finally {
      clearTimeout(timer);
    }
  }
  throw last!;
}

/** Maps an SDK error (anything with a numeric status / statusCode) to our typed error. */
export function toProviderError(provider: ProviderName, operation: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  // Some SDKs (mailgun.js on axios) report a timeout or a dropped connection with a 4xx status.
  if (isNetworkFailure(err)) return new ProviderUnavailableError(provider, operation, { cause: describe(err) });
  const status = statusOf(err);
  if (status === undefined) return new ProviderUnavailableError(provider, operation, { cause: describe(err) });
  return providerErrorFromStatus(provider, operation, status, { cause: describe(err) });
}

const NETWORK_FAILURE = /ECONNABORTED|ETIMEDOUT|ECONNRESET|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|socket hang up|timeout of \d+ms exceeded/i;

function isNetworkFailure(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as Record<string, unknown>;
  return [e.code, e.message, e.details].some((v) => typeof v === 'string' && NETWORK_FAILURE.test(v));
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  if (isNetworkFailure(err)) return undefined;
  const e = err as Record<string, unknown>;
  for (const key of ['statusCode', 'status']) {
    const v = e[key];
    if (typeof v === 'number' && v >= 100 && v < 600) return v;
  }
  const raw = e.raw as Record<string, unknown> | undefined;
  if (raw && typeof raw.statusCode === 'number') return raw.statusCode;
  return undefined;
}

/** Keeps only the error's class and message: never a response body or a request with credentials. */
function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function retryAfter(h: Headers): number | undefined {
  const v = h.get('retry-after');
  if (!v) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function backoff(p: RetryPolicy, attempt: number, retryAfterSeconds?: number): number {
  const exp = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
  const hinted = retryAfterSeconds === undefined ? 0 : Math.min(p.maxDelayMs, retryAfterSeconds * 1000);
  return Math.max(exp, hinted) * (0.8 + Math.random() * 0.4);
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}
