// A `tool-calls` message on our Vapi webhook: the model called custom tools during a live call, the
// caller waits in silence, and Vapi waits for `{ results: [{ toolCallId, name, result | error }] }`.
//
// answerToolCalls (the route stack has checked the X-Vapi-Secret header):
//   1. the call's assistant → its owner and tools, one Query (shared/db/tools.ts `ofAssistant`);
//   2. every tool call at once (at most MAX_TOOL_CALLS; more are answered with an error), each:
//      its tool by name, its secret (opened once per instance), the arguments forwarded to the tool's
//      URL as JSON `{ type: "tool.call", timestamp, data }`, signed by Standard Webhooks with the tool's
//      secret (`webhook-id`: Vapi's tool call id), guarded (a public address, resolved now; no
//      redirect) within the tool's timeout; a 2xx answer of at most RESULT_MAX_BYTES is the `result`
//      as its text; anything else an `error` the model can speak about;
//   3. each tool call recorded on the call (name, when, how long, outcome; never the arguments or the
//      answer), one batch write; a failure to record is logged, not answered.
// Whatever fails (an unknown assistant or tool, the table, the key service, the customer's URL), Vapi
// gets a result per tool call and a 200: never a 5xx it would retry while the caller waits.
import { expiresAfterDays, type CallRetention } from '../config/retention';
import type { ToolCallOutcome, ToolCallRow, ToolCallsRepository } from '../db/tool-calls';
import type { ToolRow, ToolsRepository } from '../db/tools';
import type { UsersRepository } from '../db/users';
import { ValidationError } from '../errors';
import type { GuardedOutcome, GuardedPost } from '../net/guarded-fetch';
import { logger } from '../observability/logger';
import { ToolCallsMessage } from '../schemas/tools';

/** At most this many tool calls of one message run; the rest are answered with an error. */
export const MAX_TOOL_CALLS = 10;
/** The longest answer a tool may give: it becomes part of the conversation the model reads. */
export const RESULT_MAX_BYTES = 8192;

export interface ToolCallDeps {
  tools: Pick<ToolsRepository, 'ofAssistant'>;
  records: Pick<ToolCallsRepository, 'record'>;
  /** The owner's settings and the stage's call retention: the tool-call rows are kept as long as the calls (their TTL). */
  users: Pick<UsersRepository, 'findSettings'>;
  callRetention: Pick<CallRetention, 'defaultDays'>;
  /** The tool's signing secret, opened. */
  secretOf: (userId: string, tool: ToolRow) => Promise<string>;
  /** The Standard Webhooks headers of one request. */
  sign: (input: { id: string; body: string; secrets: readonly string[]; at: Date }) => Record<string, string>;
  /** The guarded POST (shared/net/guarded-fetch.ts) with the stage's address policy. */
  post: (req: GuardedPost, opts: { timeoutMs: number; maxBodyBytes: number }) => Promise<GuardedOutcome>;
  /** The stage's longest tool timeout: a tool stored with a longer one waits this long. */
  maxTimeoutSeconds: number;
  now?: () => Date;
}

export interface ToolResult {
  toolCallId: string;
  name: string;
  result?: string;
  error?: string;
}

interface Call {
  toolCallId: string;
  name: string;
  arguments: unknown;
}

export async function answerToolCalls(deps: ToolCallDeps, message: unknown): Promise<{ results: ToolResult[] }> {
  const parsed = ToolCallsMessage().safeParse(message);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((i) => ({ path: ['body', 'message', ...i.path.map(String)].join('.'), message: i.message })));
  }
  const m = parsed.data;
  const list = m.toolCallList ?? (m.toolWithToolCallList ?? []).flatMap((w) => (w.toolCall ? [w.toolCall] : []));
  const calls: Call[] = list.map((c) => ({ toolCallId: c.id, name: c.function.name, arguments: c.function.arguments }));
  const callId = m.call?.id ?? undefined;
  const assistantId = m.call?.assistantId ?? undefined;
  const callerNumber = m.call?.customer?.number ?? m.customer?.number ?? null;

  let owner: Awaited<ReturnType<ToolCallDeps['tools']['ofAssistant']>>;
  try {
    owner = assistantId ? await deps.tools.ofAssistant(assistantId) : undefined;
  } catch (err) {
    logger.error('tool calls: the assistant could not be looked up', { assistantId, callId, error: err as Error });
    return { results: calls.map((c) => failure(c, `Tool "${c.name}" is not available right now.`)) };
  }
  if (!owner) {
    logger.warn('tool calls for an assistant we do not know: answered with errors', { assistantId, callId, count: calls.length });
    return { results: calls.map((c) => failure(c, `No tool named "${c.name}" is available.`)) };
  }

  const started = deps.now?.() ?? new Date();
  // Read while the tools run, as the call report reads them (./calls.ts): a failure costs the rows their
  // TTL until the call is re-dated, never the answer.
  const userId = owner.userId;
  const days = callId
    ? deps.users.findSettings(userId).then(
        (settings) => settings?.callRetentionDays ?? deps.callRetention.defaultDays,
        (err: unknown) => {
          logger.error('tool calls: the retention could not be read; the rows are kept until the call is re-dated', { callId, error: err as Error });
          return undefined;
        },
      )
    : Promise.resolve(undefined);
  const runs = calls.map((c, i) =>
    i < MAX_TOOL_CALLS
      ? runOne(deps, owner.userId, owner.tools, c, { callId, callerNumber })
      : Promise.resolve({ result: failure(c, `Too many tools were called at once: at most ${MAX_TOOL_CALLS}.`), record: record(c, undefined, started, 0, 'failed') }),
  );
  const done = await Promise.all(runs);
  if (callId && done.length) {
    const keep = await days;
    await deps.records
      .record(owner.userId, done.map((d) => ({ ...d.record, callId, ...(keep ? { ttl: expiresAfterDays(new Date(d.record.startedAt), keep) } : {}) })))
      .catch((err: unknown) => logger.error('tool calls not recorded on the call', { callId, error: err as Error }));
  }
  return { results: done.map((d) => d.result) };
}

const failure = (c: Call, error: string): ToolResult => ({ toolCallId: c.toolCallId, name: c.name, error });

const record = (c: Call, tool: ToolRow | undefined, startedAt: Date, durationMs: number, outcome: ToolCallOutcome, status?: number): Omit<ToolCallRow, 'callId'> => ({
  toolCallId: c.toolCallId,
  ...(tool ? { toolId: tool.toolId } : {}),
  name: c.name,
  startedAt: startedAt.toISOString(),
  durationMs: Math.round(durationMs),
  outcome,
  ...(status !== undefined ? { status } : {}),
});

/** The arguments as an object: Vapi sends them as JSON text (the SDK's type) or as an object. */
function argumentsOf(raw: unknown): Record<string, unknown> | undefined {
  let value: unknown = raw ?? {};
  if (typeof value === 'string') {
    try {
      value = value.trim() === '' ? {} : (JSON.parse(value) as unknown);
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

async function runOne(
  deps: ToolCallDeps,
  userId: string,
  tools: ToolRow[],
  c: Call,
  call: { callId?: string; callerNumber: string | null },
): Promise<{ result: ToolResult; record: Omit<ToolCallRow, 'callId'> }> {
  const startedAt = deps.now?.() ?? new Date();
  const t0 = performance.now();
  const done = (outcome: ToolCallOutcome, answer: { result: string } | { error: string }, tool?: ToolRow, status?: number) => {
    const durationMs = performance.now() - t0;
    logger.info('tool call', { toolCallId: c.toolCallId, name: c.name, outcome, status, durationMs: Math.round(durationMs) });
    return { result: { toolCallId: c.toolCallId, name: c.name, ...answer }, record: record(c, tool, startedAt, durationMs, outcome, status) };
  };

  const tool = tools.find((t) => t.name === c.name);
  if (!tool) return done('unknown-tool', { error: `No tool named "${c.name}" is available.` });
  const args = argumentsOf(c.arguments);
  if (!args) return done('failed', { error: `The arguments for tool "${c.name}" were not a JSON object.` }, tool);

  let secret: string;
  try {
    secret = await deps.secretOf(userId, tool);
  } catch (err) {
    logger.error('tool call: the signing secret could not be opened', { toolId: tool.toolId, error: err as Error });
    return done('failed', { error: `Tool "${c.name}" is not available right now.` }, tool);
  }
  const body = JSON.stringify({
    type: 'tool.call',
    timestamp: startedAt.toISOString(),
    data: { toolCallId: c.toolCallId, toolId: tool.toolId, name: tool.name, arguments: args, call: { id: call.callId ?? null, callerNumber: call.callerNumber } },
  });
  const headers = { 'content-type': 'application/json', 'user-agent': 'Fonella-Tools/1', ...deps.sign({ id: c.toolCallId, body, secrets: [secret], at: startedAt }) };
  const timeoutSeconds = Math.min(tool.timeoutSeconds, deps.maxTimeoutSeconds);
  const out = await deps.post({ url: tool.url, headers, body }, { timeoutMs: timeoutSeconds * 1000, maxBodyBytes: RESULT_MAX_BYTES });

  if (out.ok) {
    if (out.status < 200 || out.status >= 300) return done('http-error', { error: `Tool "${c.name}" failed: its service answered with status ${out.status}.` }, tool, out.status);
    if (out.truncated) return done('too-large', { error: `Tool "${c.name}" answered with more than ${RESULT_MAX_BYTES} bytes, too much to use.` }, tool, out.status);
    return done('ok', { result: out.body === '' ? `Tool "${c.name}" completed without an answer.` : out.body }, tool, out.status);
  }
  if (out.reason === 'timeout') return done('timeout', { error: `Tool "${c.name}" did not answer within ${timeoutSeconds} seconds: its service is not reachable right now.` }, tool);
  if (out.reason === 'refused') {
    logger.warn('tool call refused: the URL is not on the public internet now', { toolId: tool.toolId, reason: out.message });
    return done('refused', { error: `Tool "${c.name}" cannot be reached: its address is not allowed.` }, tool);
  }
  return done('unreachable', { error: `Tool "${c.name}" is not reachable right now.` }, tool);
}
