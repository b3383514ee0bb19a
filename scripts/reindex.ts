// `npm run reindex [-- options]`: rebuilds the admin customer index and the stats counters of the
// running local stack (`npm start`; its table from .local/stack.json) from the table's rows, with the
// use case the `reindex` function runs on AWS (shared/domain/reindex.ts): a parallel Scan, the
// stream workers' own conditional writes, safe while the stack runs. Prints progress and a report. A
// run that stops early (Ctrl+C, `--max-pages`, a failure) leaves its checkpoint in a file, and
// `--resume` goes on from there. `--help` lists the options.
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { dynamoClient } from '../lib/local/dynamo';
import type { TableRef } from '../shared/db/client';
import { customerIndexRepository } from '../shared/db/customers';
import { derivedSourcesRepository } from '../shared/db/derived-sources';
import { statsRepository } from '../shared/db/stats';
import { REINDEX_DEFAULTS, ReindexInputError, rebuildDerivedData, type ReindexCheckpoint, type ReindexProgress, type ReindexReport } from '../shared/domain/reindex';
import { ReindexCheckpointInput } from '../shared/schemas/reindex';

const DEFAULT_CHECKPOINT = '.local/reindex-checkpoint.json';
const usage = `usage: npm run reindex [-- options]
  --segments <n>       segments of the parallel Scan, read side by side (default ${REINDEX_DEFAULTS.segments})
  --page-size <n>      items a Scan page reads at most; the checkpoint moves page by page (default ${REINDEX_DEFAULTS.pageSize})
  --concurrency <n>    rows of a page worked on at once, per segment (default ${REINDEX_DEFAULTS.concurrency})
  --recount-calls      reset every monthly call count first and count every call row again (a new run only)
  --max-pages <n>      stop after this many pages, leaving a checkpoint
  --resume             go on from the checkpoint an earlier run left
  --checkpoint <file>  where the checkpoint is kept (default ${DEFAULT_CHECKPOINT})
  --json               print the report as JSON
The table is the running stack's (.local/stack.json, or STACK_FILE).`;

let values: {
  segments?: string;
  'page-size'?: string;
  concurrency?: string;
  'recount-calls'?: boolean;
  'max-pages'?: string;
  resume?: boolean;
  checkpoint?: string;
  json?: boolean;
  help?: boolean;
};
try {
  ({ values } = parseArgs({
    options: {
      segments: { type: 'string' },
      'page-size': { type: 'string' },
      concurrency: { type: 'string' },
      'recount-calls': { type: 'boolean', default: false },
      'max-pages': { type: 'string' },
      resume: { type: 'boolean', default: false },
      checkpoint: { type: 'string', default: DEFAULT_CHECKPOINT },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (err) {
  console.error(`${(err as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const whole = (name: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    console.error(`--${name} takes a whole number from 1\n${usage}`);
    process.exit(2);
  }
  return Number(raw);
};
const segments = whole('segments', values.segments);
const pageSize = whole('page-size', values['page-size']);
const concurrency = whole('concurrency', values.concurrency);
const maxPages = whole('max-pages', values['max-pages']);
const checkpointFile = values.checkpoint!;

const file = process.env.STACK_FILE ?? new URL('../.local/stack.json', import.meta.url);
let stackInfo: { dynamoEndpoint: string; tableName: string };
try {
  stackInfo = JSON.parse(readFileSync(file, 'utf8')) as typeof stackInfo;
  if (!stackInfo.dynamoEndpoint || !stackInfo.tableName) throw new Error('no table');
} catch {
  console.error(`No table in ${process.env.STACK_FILE ?? '.local/stack.json'}: start the stack first with \`npm start\`.`);
  process.exit(1);
}

let checkpoint: ReindexCheckpoint | undefined;
if (values.resume) {
  try {
    const parsed = ReindexCheckpointInput.safeParse(JSON.parse(readFileSync(checkpointFile, 'utf8')));
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    checkpoint = parsed.data;
  } catch (err) {
    console.error(`--resume: no checkpoint to go on from in ${checkpointFile} (${(err as Error).message.split('\n')[0]})`);
    process.exit(1);
  }
}

// Without the functions' 2 s bound per call: a Scan page of DynamoDB Local can take longer. The SDK's
// own retries stay (a busy DynamoDB Local answers 5xx now and then).
const client = dynamoClient(stackInfo.dynamoEndpoint);
const t: TableRef = { client, tableName: stackInfo.tableName, doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }) };

// Ctrl+C: no further page is started; the pages under way finish and the checkpoint is kept. Twice: stop now.
let stopping = false;
process.on('SIGINT', () => {
  if (stopping) process.exit(130);
  stopping = true;
  process.stderr.write('\nStopping after the pages under way (Ctrl+C again to quit at once)...\n');
});

const n = (x: number) => x.toLocaleString('en-US');
const signed = (x: number) => `${x >= 0 ? '+' : ''}${n(x)}`;
const line = (p: Omit<ReindexProgress, 'segment'>, seconds: number) =>
  `${n(p.pages)} pages, ${n(p.scanned)} items scanned, segments ${p.segmentsDone}/${p.totalSegments} done · customers ${n(p.customers.indexed)} written, ${n(p.customers.unchanged)} unchanged, ${n(p.customers.removed)} removed · calls ${n(p.calls.counted)} counted, ${n(p.calls.alreadyCounted)} already · ${seconds.toFixed(0)} s`;

const t0 = performance.now();
let lastPrint = 0;
const tty = process.stdout.isTTY && !values.json;
console.error(`Rebuilding the customer index and the stats counters of ${stackInfo.tableName} at ${stackInfo.dynamoEndpoint}${checkpoint ? `, from ${checkpointFile}` : ''}...`);
let report: ReindexReport;
try {
  report = await rebuildDerivedData(
    { sources: derivedSourcesRepository(t), customers: customerIndexRepository(t), stats: statsRepository(t) },
    {
      segments: checkpoint ? undefined : segments,
      checkpoint,
      pageSize,
      concurrency,
      recountCalls: values['recount-calls'],
      maxPages,
      shouldStop: () => stopping,
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastPrint < 1000) return;
        lastPrint = now;
        const text = line(p, (now - t0) / 1000);
        if (tty) process.stdout.write(`\r  ${text}\x1b[K`);
        else if (!values.json) console.log(`  ${text}`);
      },
    },
  );
} catch (err) {
  if (err instanceof ReindexInputError) {
    console.error(`\n${err.message}`);
    process.exit(2);
  }
  throw err;
} finally {
  if (tty) process.stdout.write('\n');
}
client.destroy();

if (report.checkpoint) {
  mkdirSync(dirname(checkpointFile), { recursive: true });
  writeFileSync(checkpointFile, `${JSON.stringify(report.checkpoint, null, 2)}\n`);
} else {
  rmSync(checkpointFile, { force: true });
}

if (values.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(`\n${report.complete ? 'Done' : 'Stopped before the end'} in ${(report.ms / 1000).toFixed(1)} s (${report.totalSegments} segments):`);
  console.log(`  scanned         ${n(report.scanned)} items in ${n(report.pages)} pages`);
  console.log(`  customers       ${n(report.customers.indexed)} index entries written, ${n(report.customers.unchanged)} unchanged, ${n(report.customers.removed)} removed (their rows are gone)`);
  console.log(`  calls           ${n(report.calls.counted)} counted, ${n(report.calls.alreadyCounted)} counted already, ${n(report.calls.skipped)} skipped`);
  if (report.callCountersReset) console.log(`  call counts     reset in ${n(report.callCountersReset)} monthly counter items`);
  const counters = Object.entries(report.counters);
  console.log(`  counters added  ${counters.length ? counters.map(([k, v]) => `${k} ${signed(v)}`).join(', ') : 'none'}`);
  for (const e of report.errors) console.log(`  failed          segment ${e.segment}: ${e.message}`);
  if (report.checkpoint) console.log(`\nThe checkpoint is in ${checkpointFile}: go on with \`npm run reindex -- --resume${checkpointFile === DEFAULT_CHECKPOINT ? '' : ` --checkpoint ${checkpointFile}`}\`.`);
}
process.exit(report.complete ? 0 : report.errors.length ? 1 : 3);
