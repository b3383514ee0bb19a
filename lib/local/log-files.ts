// `npm start`'s log files: the functions' JSON lines, as Lambda writes them to CloudWatch Logs, one file
// per run under .local/logs/ (`LOG_DIR` moves it), the newest `keep` runs kept (`LOG_FILES_KEPT`).
import { appendFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const RUN_FILE = /^run-\d{8}-\d{6}-\d+\.jsonl$/;

export interface RunLog {
  file: string;
  /** Appends one line (a line feed is added). */
  write(line: string): void;
}

/** Opens this run's file in `dir`, after removing the oldest runs' files so that `keep` remain with it. */
export function openRunLog(dir: string, keep: number, now = new Date(), pid = process.pid): RunLog {
  mkdirSync(dir, { recursive: true });
  const runs = readdirSync(dir).filter((f) => RUN_FILE.test(f)).sort();
  for (const old of runs.slice(0, Math.max(0, runs.length - (Math.max(1, keep) - 1)))) rmSync(join(dir, old), { force: true });
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const file = join(dir, `run-${stamp}-${pid}.jsonl`);
  // Tokens pass the logger's redaction, but a run's lines are still this user's only.
  appendFileSync(file, '', { mode: 0o600 });
  return { file, write: (line) => appendFileSync(file, `${line}\n`) };
}
