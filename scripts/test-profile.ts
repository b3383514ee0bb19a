// `npm run test:profile [-- <vitest args>]`: runs the tests with vitest's JSON reporter beside the
// usual one, then prints the wall time per project (first file start to last file end), the tests
// each ran, and the ten slowest files. `npm run test:profile -- --from <file.json>` reads a JSON
// report written before instead (e.g. by `vitest run --reporter=json --outputFile=<file.json>`).
// The report is kept at .local/test-profile.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECTS, projectOf } from '../test/projects';

interface FileResult {
  name: string;
  startTime: number;
  endTime: number;
  assertionResults: { status: string; duration?: number | null }[];
}

const root = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const fromAt = args.indexOf('--from');
let reportFile: string;
let wall: number | undefined;
if (fromAt >= 0) {
  reportFile = args[fromAt + 1]!;
} else {
  mkdirSync(join(root, '.local'), { recursive: true });
  reportFile = join(root, '.local', 'test-profile.json');
  const started = Date.now();
  const run = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`, ...args], { cwd: root, stdio: 'inherit' });
  wall = Date.now() - started;
  if (run.status !== 0) process.stderr.write(`vitest exited with ${run.status}: the figures below are of a failed run\n`);
}

const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { numPassedTests: number; numPendingTests: number; numTodoTests: number; numFailedTests: number; testResults: FileResult[] };
const files = report.testResults.map((f) => ({ ...f, file: relative(root, f.name), ms: f.endTime - f.startTime }));
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const rows: string[][] = [['project', 'files', 'tests', 'wall', 'sum of files']];
for (const project of PROJECTS) {
  const mine = files.filter((f) => projectOf(f.file) === project);
  if (mine.length === 0) continue;
  const span = Math.max(...mine.map((f) => f.endTime)) - Math.min(...mine.map((f) => f.startTime));
  const tests = mine.reduce((n, f) => n + f.assertionResults.length, 0);
  rows.push([project, String(mine.length), String(tests), s(span), s(mine.reduce((n, f) => n + f.ms, 0))]);
}
const all = files.length ? Math.max(...files.map((f) => f.endTime)) - Math.min(...files.map((f) => f.startTime)) : 0;
rows.push(['all', String(files.length), String(files.reduce((n, f) => n + f.assertionResults.length, 0)), s(all), s(files.reduce((n, f) => n + f.ms, 0))]);
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
const table = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');

process.stdout.write(`\n${rows.map(table).join('\n')}\n`);
process.stdout.write(`\npassed ${report.numPassedTests}, failed ${report.numFailedTests}, skipped ${report.numPendingTests}, todo ${report.numTodoTests}`);
process.stdout.write(wall === undefined ? '\n' : `; vitest's whole run ${s(wall)}\n`);
process.stdout.write('\nthe ten slowest files\n');
for (const f of [...files].sort((a, b) => b.ms - a.ms).slice(0, 10)) process.stdout.write(`  ${s(f.ms).padStart(8)}  ${f.file} (${projectOf(f.file) ?? '?'})\n`);
