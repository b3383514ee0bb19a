// `npm run bench`: builds every function's bundle (routes and stream workers) exactly as CDK does
// (lib/bundling.ts) and prints, per function, its minified size and module-load time (median over
// fresh Node processes) beside its floor: a bundle of only the SDK clients the function needs, loaded
// the same way.
// Figures also go to .local/bench.json. Nothing here asserts: it measures.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { esbuildOptions, floorSource } from '../lib/bundling';
import { routes } from '../lib/routes';
import { workers } from '../lib/workers';
import type { RouteDef } from '../shared/http/route-def';
import type { WorkerDef } from '../shared/streams/worker-def';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, '.local', 'bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
mkdirSync(OUT, { recursive: true });

// What a function sees at init on Lambda: its config variables. Local defaults fill the rest.
const env = {
  ...process.env,
  STAGE: 'local',
  AWS_REGION: 'eu-central-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

function loadMs(file: string): number {
  const url = pathToFileURL(file).href;
  const script = `const t=performance.now();await import(${JSON.stringify(url)});process.stdout.write(String(performance.now()-t));`;
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    samples.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' })));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function bundle(entry: string, outfile: string, stdin?: string) {
  const opts = esbuildOptions(entry, outfile);
  if (stdin !== undefined) {
    delete opts.entryPoints;
    opts.stdin = { contents: stdin, resolveDir: ROOT, loader: 'js' };
  }
  await build(opts);
  return statSync(outfile).size;
}

interface Row {
  function: string;
  kind: 'route' | 'worker';
  bytes: number;
  loadMs: number;
  floorBytes: number;
  floorLoadMs: number;
  ratio: number;
  bytesRatio: number;
  floor: string;
}

const rows: Row[] = [];
const functions: [string, 'route' | 'worker', Pick<RouteDef | WorkerDef, 'handler' | 'uses'>][] = [
  ...Object.entries(routes as Record<string, RouteDef>).map(([n, r]) => [n, 'route', r] as const),
  ...Object.entries(workers as Record<string, WorkerDef>).map(([n, w]) => [n, 'worker', w] as const),
] as never;
for (const [name, kind, r] of functions) {
  const file = join(OUT, `${name}.mjs`);
  const floorFile = join(OUT, `${name}.floor.mjs`);
  const bytes = await bundle(join(ROOT, r.handler), file);
  const floorBytes = await bundle('', floorFile, floorSource(r.uses));
  const fnMs = loadMs(file);
  const floorMs = loadMs(floorFile);
  const floor = [r.uses.table ? 'dynamodb' : '', ...(r.uses.providers ?? [])].filter(Boolean).join('+') || '(none)';
  rows.push({
    function: name,
    kind,
    bytes,
    loadMs: round(fnMs),
    floorBytes,
    floorLoadMs: round(floorMs),
    ratio: round(fnMs / floorMs),
    bytesRatio: round(bytes / floorBytes),
    floor,
  });
}

writeFileSync(join(ROOT, '.local', 'bench.json'), `${JSON.stringify(rows, null, 2)}\n`);

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const header = ['function', 'bytes', 'load ms', 'floor', 'floor bytes', 'floor ms', 'load ×', 'bytes ×'];
const lines = rows.map((r) => [
  r.kind === 'worker' ? `${r.function} (stream)` : r.function,
  kb(r.bytes),
  r.loadMs.toFixed(1),
  r.floor,
  kb(r.floorBytes),
  r.floorLoadMs.toFixed(1),
  r.floorBytes < 1024 ? 'n/a' : r.ratio.toFixed(2),
  r.floorBytes < 1024 ? 'n/a' : r.bytesRatio.toFixed(2),
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`node ${process.version}, median of ${RUNS} fresh processes per bundle\n`);
console.log(fmt(header));
for (const l of lines) console.log(fmt(l));
console.log('\n"n/a": the floor is an empty module (no SDK needed), so a ratio says nothing; see bytes and ms.');
console.log('Wrote .local/bench.json');

function round(n: number) {
  return Math.round(n * 100) / 100;
}
