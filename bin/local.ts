// `npm start`: the whole Fonella backend on this machine, no cloud account. Writes .local/stack.json
// and prints the demo users' tokens and a few curl lines, once the start-up is done. Then one short
// line per request and per stream record (lib/local/log-format.ts); the functions' JSON log lines go to
// this run's file under .local/logs/ (LOG_FORMAT=json shows them on the console instead).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openRunLog } from '../lib/local/log-files';
import { formatInvocation, formatLogLine, parseLogLine } from '../lib/local/log-format';
import { tapOutput } from '../lib/local/output';
import { DEMO_PARTNER_INVITE, REPO_ROOT, startStack } from '../lib/local/stack';
import { banner, stackFilePath, writeStackFile, type StackFile } from '../lib/local/stack-file';
import { workers } from '../lib/workers';

const port = Number(process.env.PORT ?? 3000);
const rawLogs = process.env.LOG_FORMAT === 'json';
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const log = openRunLog(process.env.LOG_DIR ?? join(REPO_ROOT, '.local', 'logs'), Number(process.env.LOG_FILES_KEPT ?? 10));
// Every JSON line the functions write goes to the run's file as written; the console gets it raw
// (LOG_FORMAT=json), or a warning or error as one short line, or nothing (the requests' and records'
// own lines follow from the trace).
tapOutput((line) => {
  const parsed = parseLogLine(line);
  if (!parsed) return line;
  log.write(line);
  return rawLogs ? line : formatLogLine(parsed, { color });
});

let stack: Awaited<ReturnType<typeof startStack>>;
try {
  stack = await startStack({ apiPort: port, emulatorBasePort: Number(process.env.EMULATOR_PORT ?? 4000), hotlineDemo: true, billingClock: true });
  // What the seeding wrote runs through the workers before the banner, so their lines do not follow it.
  await stack.streams.idle();
} catch (err) {
  // What went wrong, in one message (a taken port, no Java...), not a stack trace.
  console.error(`\nnpm start: ${(err as Error).message}`);
  process.exit(1);
}

const info: StackFile = {
  apiUrl: stack.apiUrl,
  hubUrl: stack.hubUrl,
  docsUrl: `${stack.hubUrl}/docs`,
  dynamoEndpoint: stack.dynamoEndpoint,
  tableName: stack.tableName,
  emulators: stack.emulators,
  credentials: stack.credentials,
  tokens: stack.tokens,
  // The demo customer's developer API key (every scope): `Authorization: Bearer fon_live_…`.
  apiKeys: stack.apiKeys,
  demoPartnerInvite: DEMO_PARTNER_INVITE,
  demoClockId: stack.demoClockId,
  logFile: log.file,
  nodeVersion: process.version,
  workers: Object.keys(workers),
};
const stackFile = stackFilePath(REPO_ROOT);
writeStackFile(stackFile, info);
console.log(`\n${banner(info, REPO_ROOT)}\n\nCtrl+C stops everything.\n`);
if (!rawLogs) stack.trace.onEnded((inv) => console.log(formatInvocation(inv, { color }).join('\n')));

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping...`);
  await stack.stop();
  // A stopped stack leaves no file that points at it.
  rmSync(stackFile, { force: true });
  process.exit(0);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
// Whoever started us (npm, a process manager) may die without passing a signal on (kill -9):
// then this process is re-parented, and it stops rather than live on with the ports and the JVM.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown('parent process gone');
}, 1000).unref();
