// `npm start`'s console and log files (lib/local/log-format.ts, log-files.ts, output.ts): one short
// line per request and per stream record, coloured only when asked; a warning or error log line as one
// line, the rest left to the file; one file per run, the oldest removed; and the rows a table command
// names, which the trace follows from a write to its stream record (lib/local/trace.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRunLog } from '../../lib/local/log-files';
import { clock, countBy, formatInvocation, formatLogLine, parseLogLine } from '../../lib/local/log-format';
import { splitLines } from '../../lib/local/output';
import { keysOf, type RequestTrace, type WorkerTrace } from '../../lib/local/trace';

const at = '2026-03-01T09:05:07.000Z';
const request = (extra: Partial<RequestTrace> = {}): RequestTrace => ({
  kind: 'request',
  id: 'inv-1',
  startedAt: at,
  durationMs: 34,
  logs: [],
  table: [
    { op: 'UpdateItem', keys: ['RATELIMIT#x / COUNTER'], write: true },
    { op: 'PutItem', keys: ['TICKET#FON-1 / TICKET'], write: true },
    { op: 'PutItem', keys: ['IDEMPOTENCY#x / y'], write: true },
  ],
  providers: [],
  caused: [],
  method: 'POST',
  path: '/v1/public/support-tickets',
  caller: 'public 127.0.0.1',
  route: 'submitSupportTicket',
  status: 201,
  ...extra,
});
const worker = (extra: Partial<WorkerTrace> = {}): WorkerTrace => ({
  kind: 'worker',
  id: 'inv-2',
  worker: 'deliverTicketEmails',
  startedAt: at,
  durationMs: 60,
  logs: [],
  table: [{ op: 'GetItem', keys: ['TICKET#FON-1 / TICKET'], write: false }],
  providers: [
    { provider: 'mailgun', method: 'POST', path: '/v3/mg/messages', status: 200, resourceId: '<1@mg>' },
    { provider: 'mailgun', method: 'POST', path: '/v3/mg/messages', status: 200, resourceId: '<2@mg>' },
  ],
  caused: [],
  records: [{ event: 'INSERT', pk: 'TICKET#FON-1', sk: 'TICKET', sequenceNumber: '1', outcome: 'done', causedBy: 'inv-1' }],
  causedBy: ['inv-1'],
  ...extra,
});
const ESC = '\u001b[';

describe('the console line of a request', () => {
  it('time, method, path, status, duration, caller and the table operations, in one line without colour', () => {
    const [line, ...more] = formatInvocation(request(), { color: false });
    expect(more).toEqual([]);
    expect(line).toBe(`${clock(at)}  POST    /v1/public/support-tickets  201    34 ms  public 127.0.0.1  table 3 (UpdateItem, PutItem ×2)`);
    expect(line).not.toContain(ESC);
  });

  it("a refusal names its problem type; the query is shown; the provider calls are counted", () => {
    const [line] = formatInvocation(
      request({ status: 429, problemType: 'urn:fonella:problem:rate-limited', query: 'limit=5', table: [], providers: [{ provider: 'vapi', method: 'POST', path: '/call' }] }),
      { color: false },
    );
    expect(line).toMatch(/\/v1\/public\/support-tickets\?limit=5 {2}429 .* table 0 {2}vapi {2}rate-limited$/);
    // API Gateway's own answers carry a message, shown as it is.
    expect(formatInvocation(request({ status: 401, problemType: 'Unauthorized', route: undefined }), { color: false })[0]).toMatch(/401 .*Unauthorized$/);
  });

  it('is coloured on a terminal: the status by its class', () => {
    expect(formatInvocation(request(), { color: true })[0]).toContain(`${ESC}32m201${ESC}39m`);
    expect(formatInvocation(request({ status: 404 }), { color: true })[0]).toContain(`${ESC}33m404${ESC}39m`);
    expect(formatInvocation(request({ status: 502 }), { color: true })[0]).toContain(`${ESC}31m502${ESC}39m`);
  });
});

describe('the console lines of a stream-worker invocation', () => {
  it('one line per record: worker, event, keys, outcome; with one record, what the run did', () => {
    expect(formatInvocation(worker(), { color: false })).toEqual([
      `${clock(at)}    ↳  deliverTicketEmails  INSERT  TICKET#FON-1 / TICKET  done  60 ms  table 1 (GetItem)  mailgun ×2`,
    ]);
  });

  it("a failed record says why; a batch's lines leave the run's figures out", () => {
    const lines = formatInvocation(
      worker({
        records: [
          { event: 'INSERT', pk: 'A', sk: 'B', sequenceNumber: '1', outcome: 'done' },
          { event: 'MODIFY', pk: 'C', sk: 'D', sequenceNumber: '2', outcome: 'failed', error: 'ProviderUnavailableError: mailgun' },
        ],
      }),
      { color: false },
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/INSERT {2}A \/ B {2}done {2}60 ms$/);
    expect(lines[1]).toMatch(/MODIFY {2}C \/ D {2}failed: ProviderUnavailableError: mailgun {2}60 ms$/);
  });
});

describe("a function's JSON log line on the console", () => {
  const line = (fields: Record<string, unknown>) => JSON.stringify({ message: 'request failed', timestamp: at, service: 'fonella-api', function_name: 'fonella-local-submitContact', ...fields });

  it('a warning or an error is one line with its function, message and error', () => {
    const parsed = parseLogLine(line({ level: 'ERROR', error: { name: 'ProviderUnavailableError', message: 'mailgun answered 503', stack: 'at x' } }))!;
    expect(formatLogLine(parsed, { color: false })).toBe(`${clock(at)}  ERROR  submitContact  request failed  ProviderUnavailableError: mailgun answered 503`);
    expect(formatLogLine(parseLogLine(line({ level: 'WARN', message: 'unknown assistant' }))!, { color: false })).toBe(`${clock(at)}  WARN  submitContact  unknown assistant`);
  });

  it('info and debug lines stay off the console (they are in the log file)', () => {
    expect(formatLogLine(parseLogLine(line({ level: 'INFO' }))!, { color: false })).toBeUndefined();
    expect(formatLogLine(parseLogLine(line({ level: 'DEBUG' }))!, { color: false })).toBeUndefined();
  });

  it('only a logger line counts as one: other output, and JSON without level and message, is not', () => {
    expect(parseLogLine('Fonella backend running locally')).toBeUndefined();
    expect(parseLogLine('{"a":1}')).toBeUndefined();
    expect(parseLogLine('{not json')).toBeUndefined();
  });
});

describe('the run log files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fonella-logs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('one file per run, named by its start; the oldest removed so that `keep` remain; other files left alone', () => {
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const runs = [1, 2, 3, 4].map((n) => openRunLog(dir, 3, new Date(2026, 0, n, 8, 0, 0), 100 + n));
    runs[3]!.write('{"level":"INFO","message":"request"}');
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'run-20260102-080000-102.jsonl', 'run-20260103-080000-103.jsonl', 'run-20260104-080000-104.jsonl']);
    expect(readFileSync(runs[3]!.file, 'utf8')).toBe('{"level":"INFO","message":"request"}\n');
    expect(statSync(runs[3]!.file).mode & 0o777).toBe(0o600);
  });
});

describe('output lines and table keys', () => {
  it('splits a chunk into lines, a last line without its line feed too', () => {
    expect(splitLines('a\nb\n')).toEqual([{ line: 'a', end: '\n' }, { line: 'b', end: '\n' }]);
    expect(splitLines('a\n\nb')).toEqual([{ line: 'a', end: '\n' }, { line: '', end: '\n' }, { line: 'b', end: '' }]);
    expect(splitLines('')).toEqual([]);
  });

  it("names the rows of each command, marshalled or not, a transaction's every write", () => {
    expect(keysOf('PutItem', { Item: { pk: 'TICKET#1', sk: 'TICKET', title: 'x' } })).toEqual(['TICKET#1 / TICKET']);
    expect(keysOf('UpdateItem', { Key: { pk: { S: 'USER#a' }, sk: { S: 'SETTINGS' } } })).toEqual(['USER#a / SETTINGS']);
    expect(
      keysOf('TransactWriteItems', {
        TransactItems: [{ Put: { Item: { pk: 'A', sk: '1' } } }, { ConditionCheck: { Key: { pk: 'B', sk: '2' } } }, { Delete: { Key: { pk: 'C', sk: '3' } } }],
      }),
    ).toEqual(['A / 1', 'C / 3']);
    expect(keysOf('Query', { IndexName: 'gsi2', ExpressionAttributeValues: { ':pk': 'CUSTOMERS' } })).toEqual(['gsi2: CUSTOMERS']);
    expect(countBy(['GetItem', 'PutItem', 'GetItem'])).toBe('GetItem ×2, PutItem');
  });
});
