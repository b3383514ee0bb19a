// `npm start`'s console: one short line per request (time, method, path, status, duration, caller,
// table operations, provider calls, and a refusal's problem type) and one per stream record (worker,
// event, keys, outcome), from the local trace (./trace.ts); a function's warning or error log line as
// one line too. The full JSON lines go to the run's log file (bin/local.ts). Plain functions, coloured
// only when asked (a terminal).
import type { Invocation, ProviderCall, TableOp } from './trace';

export interface FormatOptions {
  color: boolean;
}

const CODES = { dim: [2, 22], bold: [1, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39], magenta: [35, 39] } as const;
type Style = keyof typeof CODES;

function paint(on: boolean, style: Style, text: string): string {
  const [open, close] = CODES[style];
  return on ? `\u001b[${open}m${text}\u001b[${close}m` : text;
}

/** `HH:MM:SS` in this machine's time zone. */
export function clock(iso: string | number | Date): string {
  const d = new Date(iso);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** "3 (GetItem, PutItem ×2)": how many, and which, in the order first sent. */
export function countBy(items: string[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(', ');
}

export const tableSummary = (ops: TableOp[]) => (ops.length ? `table ${ops.length} (${countBy(ops.map((o) => o.op))})` : 'table 0');
export const providerSummary = (calls: ProviderCall[]) => (calls.length ? countBy(calls.map((c) => c.provider)) : '');

/** The problem's slug (`rate-limited`) for our own types, the text for API Gateway's (`Unauthorized`). */
export const problemSlug = (type: string) => type.replace(/^urn:fonella:problem:/, '');

function statusStyle(status: number | undefined): Style {
  if (status === undefined || status >= 500) return 'red';
  if (status >= 400) return 'yellow';
  if (status >= 300) return 'cyan';
  return 'green';
}

/** The console's lines for one ended invocation: a request's one, or one per record a worker took. */
export function formatInvocation(inv: Invocation, opts: FormatOptions): string[] {
  const c = opts.color;
  const time = paint(c, 'dim', clock(inv.startedAt));
  const ms = `${inv.durationMs ?? '?'} ms`;
  const providers = providerSummary(inv.providers);
  if (inv.kind === 'request') {
    const path = inv.query ? `${inv.path}?${inv.query}` : inv.path;
    const status = paint(c, statusStyle(inv.status), String(inv.status ?? '---'));
    const parts = [time, inv.method.padEnd(6), path, status, ms.padStart(7), paint(c, 'dim', inv.caller), tableSummary(inv.table)];
    if (providers) parts.push(providers);
    if (inv.problemType) parts.push(paint(c, statusStyle(inv.status), problemSlug(inv.problemType)));
    return [parts.join('  ')];
  }
  return inv.records.map((r) => {
    const outcome = r.outcome === 'failed' ? paint(c, 'red', `failed${r.error ? `: ${r.error}` : ''}`) : paint(c, 'green', r.outcome ?? 'running');
    const parts = [time, paint(c, 'dim', '  ↳'), paint(c, 'magenta', inv.worker), r.event, `${r.pk} / ${r.sk}`, outcome, ms];
    if (inv.records.length === 1) parts.push(tableSummary(inv.table));
    if (inv.records.length === 1 && providers) parts.push(providers);
    return parts.join('  ');
  });
}

const LEVELS_SHOWN = new Set(['WARN', 'ERROR', 'CRITICAL']);

/**
 * A function's JSON log line on the console: one short line for a warning or an error (its function,
 * message and error), undefined for the rest (they are in the log file).
 */
export function formatLogLine(line: Record<string, unknown>, opts: FormatOptions): string | undefined {
  const level = String(line.level ?? '');
  if (!LEVELS_SHOWN.has(level)) return undefined;
  const fn = String(line.function_name ?? line.service ?? '').replace(/^fonella-local-/, '');
  const error = line.error as { name?: unknown; message?: unknown } | undefined;
  const parts = [
    paint(opts.color, 'dim', clock(typeof line.timestamp === 'string' ? line.timestamp : Date.now())),
    paint(opts.color, level === 'WARN' ? 'yellow' : 'red', level),
    fn,
    String(line.message ?? ''),
  ];
  if (error && typeof error === 'object') parts.push(`${String(error.name ?? 'Error')}: ${String(error.message ?? '')}`);
  return parts.filter(Boolean).join('  ');
}

/** A line the functions' logger wrote (a Powertools JSON line), parsed; undefined for any other line. */
export function parseLogLine(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && 'level' in parsed && 'message' in parsed ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
