// `npm run bench`: what each function costs, in two parts; it measures and asserts nothing, and exits
// 0 whatever it finds (the figures are targets, not gates; the bundle budgets' gate is a test:
// test/infra/bundles.test.ts).
// 1. Bundles and module loads (scripts/bench-loads.ts, where the method is explained): every
//    function's bundle (routes, stream workers, operations), built as CDK builds it, its bytes beside
//    its budget (lib/bundle-budgets.json), and the CPU time of loading it in a fresh Node process
//    beside its floor's (a bundle of only the SDK clients it needs): the ratio with its spread. For a
//    function with secret keys, also its load with them read through the extension's emulator.
// 2. Cost per request (scripts/bench-routes.ts): on its own local stack, each route's happy path
//    (lib/bench-requests.ts): table round trips and provider calls per request, what the stream
//    workers do afterwards, warm latency p50/p95.
// Then the functions over their target and the bundles over their budget, so a regression shows
// without reading the tables. Figures also go to .local/bench.json.
//
//   npm run bench [-- --loads | --routes] [--only <name,name>] [--readme]
//   npm run bench -- --update-budgets     # only bundles, and rewrites lib/bundle-budgets.json
//   npm run bench -- --instructions [--only <names>]  # the steady figure: instructions of each load
//                                         # over its floor's, counted by valgrind (scripts/bench-instructions.ts)
//   npm run bench -- --bare-node          # loads in a Node started without Lambda's flags (lib/bundling.ts lambdaNodeArgs)
//   npm run bench -- --tool-hop           # the latency a custom tool's call adds (scripts/bench-tool-hop.ts)
//
// BENCH_RUNS rounds of module loads (by default as many as end within BENCH_LOAD_SECONDS, 300: 15
// to 32), BENCH_PARALLEL (the cores) of them at a time, BENCH_SECRETS_RUNS (3) loads with secrets, BENCH_REQUESTS (20) requests per route. The admin
// dashboard at 100 000 customers is `npm run bench:admin`.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { lambdaNodeArgs } from '../lib/bundling';
import { budgetLimit, budgetProblem, readBudgets, writeBudgets, type Budgets } from '../lib/bundle-budgets';
import { FLOOR_SAMPLES_PER_ROUND, allFunctions, bundleAll, LOAD_ORDER, LOAD_TARGET, measureLoads, shownName, type LoadFigures } from './bench-loads';
import { duration, progress } from './bench-progress';
import { ROUTES_SECTION, replaceSection, routesTable } from './bench-readme';

const { values: args } = parseArgs({
  options: {
    admin: { type: 'boolean' },
    reindex: { type: 'boolean' },
    'hotline-pages': { type: 'boolean' },
    'tool-hop': { type: 'boolean' },
    loads: { type: 'boolean' },
    instructions: { type: 'boolean' },
    routes: { type: 'boolean' },
    only: { type: 'string' },
    readme: { type: 'boolean' },
    'update-budgets': { type: 'boolean' },
    'bare-node': { type: 'boolean' },
  },
  strict: true,
});

// The scenarios at scale, each on a stack of its own (not in the default run).
if (args.admin) {
  // Kept for `npm run bench -- --admin`; the command is `npm run bench:admin`.
  await (await import('./bench-admin')).runAdminBench();
  process.exit(0);
}
if (args.reindex) {
  await (await import('./bench-reindex')).runReindexBench();
  process.exit(0);
}
if (args['hotline-pages']) {
  await (await import('./bench-hotline-pages')).runHotlinePagesBench();
  process.exit(0);
}
if (args['tool-hop']) {
  await (await import('./bench-tool-hop')).runToolHopBench();
  process.exit(0);
}

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, '.local', 'bench');
// Rounds of module loads: BENCH_RUNS exactly, or by default as many as end within BENCH_LOAD_SECONDS
// (300), at least 15 and at most 32: a slower machine takes fewer, so the default run ends within 10 minutes.
const RUNS = Number(process.env.BENCH_RUNS ?? 32);
const LOAD_BUDGET_MS = process.env.BENCH_RUNS ? undefined : Number(process.env.BENCH_LOAD_SECONDS ?? 300) * 1000;
const MIN_RUNS = 15;
/** Module loads at a time (fresh processes): the machine's cores by default. */
const PARALLEL = Math.max(1, Math.floor(Number(process.env.BENCH_PARALLEL) || availableParallelism()));
const SECRETS_RUNS = Number(process.env.BENCH_SECRETS_RUNS ?? 3);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20);
// Each load runs in the Node a cold start runs: with the flags Lambda's runtime starts it with.
// `--bare-node` loads in a Node started with none (as the bench did before; every load ~30 ms cheaper).
const NODE_ARGS = args['bare-node'] ? [] : lambdaNodeArgs();
const nodeShown = `node ${process.version}${NODE_ARGS.length ? ` ${NODE_ARGS.join(' ')} (as Lambda starts it)` : ' (no flags: --bare-node)'}`;
const started = performance.now();
const say = progress();
if (process.env.BENCH_RUNS && RUNS < MIN_RUNS) console.log(`BENCH_RUNS=${RUNS}: fewer than ${MIN_RUNS} samples per function, so a wider spread; the steady figure is \`--instructions\`.`);

const every = allFunctions();
const only = args.only?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = only?.filter((n) => !every.some((f) => f.name === n)) ?? [];
if (unknown.length) {
  console.error(`no function named ${unknown.join(', ')}`);
  process.exit(2);
}
const fns = only ? every.filter((f) => only.includes(f.name)) : every;
const doLoads = !args.routes || args.loads === true;
const doRoutes = !args.loads || args.routes === true;
if (args.readme && !doRoutes) {
  console.error('--readme writes the routes part: run it with --routes (or without --loads)');
  process.exit(2);
}

say.update(`bundling ${fns.length} functions and their floors`);
const bundles = await bundleAll(fns, OUT);
say.done(`bundled ${fns.length} functions and ${bundles.floors.size} floors in ${duration(performance.now() - started)}`);

// --update-budgets: the budgets become the bundles as they are now; nothing is measured.
if (args['update-budgets']) {
  const before: Budgets = (() => {
    try {
      return readBudgets();
    } catch {
      return {};
    }
  })();
  const known = new Set(every.map((f) => f.name));
  // With --only, the other functions keep their budgets (those of functions gone are dropped).
  const next: Budgets = Object.fromEntries(Object.entries(before).filter(([name]) => known.has(name) && !bundles.bytes.has(name)));
  for (const [name, bytes] of bundles.bytes) next[name] = bytes;
  writeBudgets(next);
  const changed = Object.keys({ ...before, ...next }).filter((n) => before[n] !== next[n]);
  for (const n of changed) console.log(`  ${n.padEnd(32)} ${before[n] === undefined ? 'new' : kb(before[n])} → ${next[n] === undefined ? 'gone' : kb(next[n])}`);
  const total = (b: Budgets) => Object.values(b).reduce((a, n) => a + n, 0);
  console.log(`Wrote lib/bundle-budgets.json: ${Object.keys(next).length} functions, ${kb(total(next))} in all (was ${kb(total(before))}); ${changed.length} changed`);
  process.exit(0);
}

// --instructions: the instruction counts of every load, and nothing else.
if (args.instructions) {
  const { instructionCounterMissing, measureInstructions } = await import('./bench-instructions');
  const missing = await instructionCounterMissing();
  if (missing) {
    console.error(`--instructions counts with valgrind: ${missing}`);
    process.exit(2);
  }
  const { figures, repeat } = await measureInstructions(fns, bundles, { parallel: PARALLEL, outDir: OUT, nodeArgs: NODE_ARGS, progress: say });
  const m = (n: number) => (n / 1e6).toFixed(1);
  console.log(`\nModule loads in instructions: ${nodeShown} --predictable, ASLR off, under valgrind (callgrind), one load each;`);
  console.log(`"M instr": millions of instructions of the import (Node's own start taken off); "×": over the floor's;`);
  console.log(`target ≤ ${LOAD_TARGET.ratio.toFixed(2)} (no SDK: ≤ ${LOAD_TARGET.bareRatio.toFixed(2)} of dynamodb)\n`);
  printTable(
    ['function', 'bytes', 'M instr', 'floor', 'floor M instr', '×', ''],
    fns.map((f) => {
      const x = figures.get(f.name)!;
      return [
        shownName(f),
        kb(bundles.bytes.get(f.name)!),
        m(x.instructions),
        x.bare ? `${x.floor} (no SDK)` : x.floor,
        m(x.floorInstructions),
        `${x.ratio.toFixed(3)}×`,
        x.over ? 'over target' : '',
      ];
    }),
    [0, 3, 6],
  );
  const drift = Math.abs(repeat.second - repeat.first) / repeat.first;
  console.log(`\nThe ${repeat.floor} floor, loaded twice: ${repeat.first} and ${repeat.second} instructions (${(drift * 100).toFixed(4)} % apart).`);
  mkdirSync(join(ROOT, '.local'), { recursive: true });
  writeFileSync(join(ROOT, '.local', 'bench-instructions.json'), `${JSON.stringify(Object.fromEntries(figures), null, 2)}\n`);
  const over = fns.filter((f) => figures.get(f.name)!.over);
  console.log(over.length ? `Over their load target in instructions (${over.length} of ${fns.length}):` : `No function over its load target in instructions (${fns.length} measured).`);
  for (const f of over) {
    const x = figures.get(f.name)!;
    console.log(`  ${f.name.padEnd(32)} ${x.ratio.toFixed(3)}× of ${x.floor} (target ≤ ${x.target.toFixed(2)}×)`);
  }
  console.log(`\nWrote .local/bench-instructions.json; ${duration(performance.now() - started)} in all.`);
  process.exit(0);
}

let budgets: Budgets = {};
try {
  budgets = readBudgets();
} catch {
  console.log('No lib/bundle-budgets.json: `npm run bench -- --update-budgets` writes it.');
}

interface Row {
  function: string;
  kind: string;
  bytes: number;
  budgetBytes: number | null;
  overBudget: string | null;
  // Part 1 (null when not run).
  loadCpuMs?: number;
  floor?: string;
  floorBytes?: number;
  floorCpuMs?: number;
  ratio?: number;
  ratioSpread?: number;
  ratioTarget?: number;
  overTarget?: boolean;
  loadWithSecretsMs?: number | null;
  // Part 2, routes only; null when the route has no scripted request or its request failed.
  tableOps?: number | null;
  providerCalls?: number | null;
  workerTableOps?: number | null;
  workerProviderCalls?: number | null;
  warmP50Ms?: number | null;
  warmP95Ms?: number | null;
  note?: string;
}
const rows: Row[] = fns.map((f) => ({
  function: f.name,
  kind: f.kind,
  bytes: bundles.bytes.get(f.name)!,
  budgetBytes: budgets[f.name] ?? null,
  overBudget: budgetProblem(f.name, bundles.bytes.get(f.name)!, budgets) ?? null,
}));

let loads: Map<string, LoadFigures> | undefined;
if (doLoads) {
  loads = await measureLoads(fns, bundles, { runs: RUNS, minRuns: MIN_RUNS, budgetMs: LOAD_BUDGET_MS, parallel: PARALLEL, secretsRuns: SECRETS_RUNS, nodeArgs: NODE_ARGS, progress: say });
  const rounds = loads.values().next().value!.samples.length;
  const ratioText = (l: LoadFigures) => `${l.ratio.toFixed(2)}× ±${l.spread.toFixed(2)}`;
  console.log(`\nModule loads: ${nodeShown}; "load ms": CPU ms of the import in a fresh process, the mean of the fastest third`);
  console.log(`of ${rounds} samples (a floor's: of ${rounds * FLOOR_SAMPLES_PER_ROUND}); "load ×": over the floor's, ± half its 95 % bootstrap interval;`);
  console.log(`target ≤ ${LOAD_TARGET.ratio.toFixed(2)} (no SDK: ≤ ${LOAD_TARGET.bareRatio.toFixed(2)} of dynamodb, and < ${kb(LOAD_TARGET.bareBytes)})\n`);
  printTable(
    ['function', 'bytes', 'budget', 'load ms', 'secrets ms', 'floor', 'floor bytes', 'floor ms', 'load ×', ''],
    fns.map((f) => {
      const l = loads!.get(f.name)!;
      const row = rows.find((r) => r.function === f.name)!;
      Object.assign(row, {
        loadCpuMs: round(l.cpuMs),
        floor: l.floor,
        floorBytes: l.floorBytes,
        floorCpuMs: round(l.floorCpuMs),
        ratio: round(l.ratio),
        ratioSpread: round(l.spread),
        ratioTarget: l.target,
        overTarget: l.over,
        loadWithSecretsMs: l.secretsMs === null ? null : round(l.secretsMs),
      });
      return [
        shownName(f),
        kb(row.bytes),
        row.budgetBytes === null ? 'none' : kb(row.budgetBytes),
        l.cpuMs.toFixed(1),
        l.secretsMs === null ? '-' : l.secretsMs.toFixed(1),
        l.bare ? `${l.floor} (no SDK)` : l.floor,
        kb(l.floorBytes),
        l.floorCpuMs.toFixed(1),
        ratioText(l),
        [l.over ? 'over target' : '', row.overBudget ? 'over budget' : ''].filter(Boolean).join(', '),
      ];
    }),
    [0, 5, 9],
  );
  // Every sample, for a closer look at the spread.
  mkdirSync(join(ROOT, '.local'), { recursive: true });
  writeFileSync(
    join(ROOT, '.local', 'bench-samples.json'),
    `${JSON.stringify({ runs: rounds, parallel: PARALLEL, functions: Object.fromEntries([...loads].map(([n, l]) => [n, { floor: l.floor, cpuMs: l.samples, floorCpuMs: l.floorSamples }])), order: LOAD_ORDER })}\n`,
  );
  console.log('\n"secrets ms": wall ms of the load with its secret keys read through the extension (here its local emulator);');
  console.log('"-": no secret keys. On Lambda the extension\'s first read of a sandbox also waits on Secrets Manager.');
}

if (doRoutes) {
  const { measureRoutes, NO_REQUEST } = await import('./bench-routes');
  const names = fns.filter((f) => f.kind === 'route').map((f) => f.name);
  console.log('');
  const figures = await measureRoutes(names, { requests: REQUESTS, progress: say });
  const lines: string[][] = [];
  for (const name of names) {
    const f = figures.get(name)!;
    const row = rows.find((r) => r.function === name)!;
    if (f.note) {
      Object.assign(row, { tableOps: null, providerCalls: null, workerTableOps: null, workerProviderCalls: null, warmP50Ms: null, warmP95Ms: null, note: f.note });
      lines.push([name, f.request, f.note]);
      continue;
    }
    Object.assign(row, {
      tableOps: f.tableOps,
      providerCalls: f.providerCalls,
      workerTableOps: f.workerTableOps,
      workerProviderCalls: f.workerProviderCalls,
      warmP50Ms: round(f.p50Ms!),
      warmP95Ms: round(f.p95Ms!),
    });
    lines.push([name, f.request, f.tableText!, f.providerText!, f.p50Ms!.toFixed(1), f.p95Ms!.toFixed(1), f.afterwards!]);
  }
  console.log(`\nCost per request: each route's happy path through the local API, on a quiet stack; figures per request`);
  console.log(`(median over ${REQUESTS}); latency over ${REQUESTS} sequential requests after one warm-up\n`);
  printTable(['route', 'request', 'table ops', 'provider calls', 'p50 ms', 'p95 ms', 'then, by stream workers'], lines, [0, 1, 2, 3, 6]);
  console.log('\n"table ops" and "provider calls" are the route handler\'s own (target, not asserted: at most two table');
  console.log('round trips for a portal request); what the stream workers it triggers do afterwards is listed apart.');
  if ([...figures.values()].some((r) => r.note === NO_REQUEST)) console.log(`"${NO_REQUEST}": add the route's happy path to lib/bench-requests.ts.`);
  if (args.readme) {
    if (only) console.log('\n--readme with --only: the README keeps its table (it lists every route).');
    else {
      const readme = join(ROOT, 'README.md');
      writeFileSync(readme, replaceSection(readFileSync(readme, 'utf8'), ROUTES_SECTION, routesTable(names, figures)));
      console.log('\nRewrote the per-route table in README.md.');
    }
  }
}

mkdirSync(join(ROOT, '.local'), { recursive: true });
writeFileSync(join(ROOT, '.local', 'bench.json'), `${JSON.stringify(rows, null, 2)}\n`);

// What to look at: the functions over their target and the bundles over their budget.
console.log('');
if (loads) {
  const over = fns.filter((f) => loads!.get(f.name)!.over);
  console.log(over.length ? `Over their load target (${over.length} of ${fns.length}):` : `No function over its load target (${fns.length} measured).`);
  for (const f of over) {
    const l = loads.get(f.name)!;
    const bytes = bundles.bytes.get(f.name)!;
    console.log(
      `  ${f.name.padEnd(32)} ${l.ratio.toFixed(2)}× ±${l.spread.toFixed(2)} of ${l.floor}` +
        (l.bare ? `, ${kb(bytes)} (no SDK: target ≤ ${LOAD_TARGET.bareRatio.toFixed(2)}× and < ${kb(LOAD_TARGET.bareBytes)})` : ` (target ≤ ${LOAD_TARGET.ratio.toFixed(2)}×)`),
    );
  }
}
const overBudget = rows.filter((r) => r.overBudget);
console.log(overBudget.length ? `Over their bundle budget (${overBudget.length}; test/infra/bundles.test.ts fails on them):` : 'No bundle over its budget.');
for (const r of overBudget) console.log(`  ${r.function.padEnd(32)} ${kb(r.bytes)}, budget ${r.budgetBytes === null ? 'none' : `${kb(r.budgetBytes)} (limit ${kb(budgetLimit(r.budgetBytes))})`}`);
console.log(`\nWrote .local/bench.json; ${duration(performance.now() - started)} in all.`);
// The stack's and the extension's handles are closed; whatever a loaded handler left open must not keep the bench running.
process.exit(0);

function kb(n: number) {
  return `${(n / 1024).toFixed(1)} KB`;
}

/**
 * Prints an aligned table: the columns in `left` padded on the right, the others on the left. A line
 * shorter than the header (a note) has its last cell run on, unaligned.
 */
function printTable(header: string[], lines: string[][], left: number[]) {
  const aligned = lines.map((l) => (l.length < header.length ? l.slice(0, -1) : l));
  const widths = header.map((h, i) => Math.max(h.length, ...aligned.map((l) => l[i]?.length ?? 0)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) =>
        cells.length < header.length && i === cells.length - 1 ? c : left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
}

function round(n: number) {
  return Math.round(n * 100) / 100;
}
