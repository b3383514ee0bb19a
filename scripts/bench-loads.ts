// Part 1 of `npm run bench` (scripts/bench.ts): every function's bundle and what loading it costs,
// beside its floor.
//
// Bundles. Every function (routes, stream workers, operations) and every floor (a bundle of only the
// SDK clients a function needs, constructed: lib/bundling.ts `floorSource`) is built with the options
// CDK uses (lib/bundling.ts), in one esbuild build per set of packages left out (most functions leave
// out none): without code splitting each entry point is linked on its own, so each output is byte for
// byte the bundle a build of that entry alone gives, and the files are parsed once per build instead
// of once per function.
//
// The measure: the CPU time (user + system, every thread of the process: process.cpuUsage) that
// importing the bundle takes in a fresh Node process, which is what a cold start adds to Node's own
// start. The process is started as Lambda's Node runtime starts it (lib/bundling.ts
// `lambdaNodeArgs`): its `--expose-gc` takes Node's code cache off its own modules, so every builtin
// a load takes (node:http and undici, node:net, web streams) is compiled from source: about 30 ms more
// in every function's and every floor's load than in a Node started without flags (`--bare-node`),
// where the ratios come out higher.
// Wall time, which the bench took before, moves with whatever else the machine runs: on this 2-core
// machine shared with other work its spread within a run was 10–20 %, and a function's ratio
// moved by up to ±0.3 between runs. CPU time does not count waiting for a core; what still moves it is
// the other processes evicting this one's caches, which only ever adds time: samples spread 5–10 %
// above a clean floor, with a long tail of slow ones. Hence:
// - rounds: each round loads every function once and every floor FLOOR_SAMPLES_PER_ROUND times (a
//   floor serves several functions), in a shuffled order with the floors spread through it, so each
//   figure is taken across the whole run and a slow drift of the machine weighs on a function and its
//   floor alike;
// - lanes: BENCH_PARALLEL loads run at once (the machine's cores), taken in that order: on this 2-core
//   machine two lanes take 40 rounds in the time one took 24, and a process's CPU time hardly moves
//   with a neighbour (see the runs under load below). Two back-to-back runs of 40 rounds in two lanes
//   agreed within 0.020 on every function (median 0.010), where two of 20 rounds in one lane
//   differed by up to 0.08–0.11 (3 to 6 functions over 0.05);
// - a function's figure is the mean of the fastest third of its samples (one a round; by default as many
//   rounds as end within BENCH_LOAD_SECONDS, 15 to 32, scripts/bench.ts):
//   a trimmed mean that drops the slow samples, where the disturbances are. It was the fastest half
//   until a busier day: two back-to-back runs of 32 rounds differed by up to 0.11 (22 functions over
//   0.05), the floors' samples spreading from 69 to 122 ms. On the samples of two such runs, each split
//   into its first and last 16 rounds, the two halves' ratios differed by up to 0.206 and 0.161 with
//   fastest-half means (36 and 30 functions over 0.05, median difference 0.037 and 0.035), and by up
//   to 0.091 and 0.169 with fastest-third means (13 and 24 over, median 0.027 and 0.025; the fastest
//   quarter and tenth and the minimum about alike, the median and the 20th percentile worse), at the
//   same median ratio. What none of them takes out is a busy machine raising every ratio: the next
//   two runs' median ratios were 1.15 and 1.10. Earlier, on quieter machines, estimated both ways from the
//   same two back-to-back runs of every function (15 rounds), the ratios of medians disagreed by up
//   to 0.09 (8 functions over 0.05), those of fastest-half means by up to 0.04 (mean 0.013). Two
//   further pairs of runs, with other work on the machine: 15 rounds, up to 0.057 (one function over
//   0.05, mean 0.013); 20 rounds, one run under a load average of 6, up to 0.052 (one over, mean 0.017);
//   two more pairs of 20 rounds under a load average of 8 to 12, up to 0.06 (one and four over, mean
//   0.020 and 0.022). On those samples nothing was steadier than the fastest half (nor less steady:
//   the fastest quarter or third did as well): the median, the mean, each sample over the machine's speed around it (the median, over 2 to 90 neighbours in
//   LOAD_ORDER, of sample / its function's median); nor, in a run of its own, the main thread's CPU
//   time alone (process.threadCpuUsage: as spread, and blind to V8's helper threads);
// - its ratio is that figure over its floor's, printed with its spread: half the width of the 95 %
//   bootstrap interval of the ratio (both sample sets resampled), about how far a second run may land.
// A function with no SDK (an empty floor) is put against the DynamoDB floor, with its own target.
// The steady figure, which does not move with the machine, is the instruction count of each load
// (`--instructions`, scripts/bench-instructions.ts).
//
// "secrets ms" is a different figure: the wall time of a load that reads the function's secret keys
// through the Parameters and Secrets extension (its local emulator, in this process), as on Lambda,
// so it includes that HTTP read: a median of BENCH_SECRETS_RUNS fresh processes.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { anotherRoundFits, fastThirdMean, median, ratioWithSpread, seededRandom, shuffled } from '../lib/bench-stats';
import { PROVIDER_SDK, deferredPackages, esbuildOptions, floorSource } from '../lib/bundling';
import { createEmulators } from '../lib/local/emulators';
import { startEmulator } from '../lib/local/emulators/kit';
import { LOCAL_SECRET_NAME, createSecretsEmulator } from '../lib/local/emulators/secrets';
import { operations } from '../lib/operations';
import { routes } from '../lib/routes';
import { PROVIDER_SECRET_KEYS, functionSecretKeys } from '../lib/settings';
import { workers } from '../lib/workers';
import { queueWorkers } from '../lib/queues';
import type { ProviderName } from '../shared/errors';
import { duration, type Progress } from './bench-progress';

const ROOT = new URL('..', import.meta.url).pathname;

/** Floor samples per round: a floor serves several functions, so its figure is taken from more samples. */
export const FLOOR_SAMPLES_PER_ROUND = 2;

/**
 * The targets, not asserted (the bench measures): a function's load at most 1.25 times its floor's;
 * a function with no SDK at most 0.6 times the DynamoDB floor's, and its bundle under 150 KB.
 */
export const LOAD_TARGET = { ratio: 1.25, bareRatio: 0.6, bareBytes: 150 * 1024 } as const;

export interface BenchFunction {
  name: string;
  kind: 'route' | 'worker' | 'queue-worker' | 'operation';
  handler: string;
  uses: { table?: 'read' | 'write'; providers?: readonly ProviderName[]; payoutKey?: unknown; signingKey?: unknown; webhookQueue?: unknown; exportsBucket?: unknown };
  /** Packages left out of its bundle, loaded at the first request that needs them (lib/bundling.ts). */
  deferred: string[];
}

/** Every function CDK deploys: routes, stream workers, queue workers, operations, by manifest. */
export function allFunctions(): BenchFunction[] {
  const of = (kind: BenchFunction['kind'], defs: Record<string, { name: string; handler: string; uses: BenchFunction['uses']; idempotent?: boolean; loadsOnDemand?: readonly string[] }>) =>
    Object.values(defs).map((d) => ({ name: d.name, kind, handler: d.handler, uses: d.uses, deferred: deferredPackages(d) }));
  return [...of('route', routes), ...of('worker', workers), ...of('queue-worker', queueWorkers), ...of('operation', operations)];
}

/** The SDK clients a function needs, as its floor holds them: "dynamodb+kms+stripe"; "" for none. */
export function floorKey(uses: BenchFunction['uses']): string {
  const sdks = [...new Set(uses.providers ?? [])].filter((p) => PROVIDER_SDK[p]).sort();
  return [uses.table ? 'dynamodb' : '', uses.payoutKey || uses.signingKey ? 'kms' : '', uses.webhookQueue ? 'sqs' : '', uses.exportsBucket ? 's3' : '', ...sdks].filter(Boolean).join('+');
}

const DYNAMODB = floorKey({ table: 'read' });

/** The floor a function is put against: its own, or DynamoDB's for a function with no SDK. */
export const floorFor = (f: BenchFunction) => floorKey(f.uses) || DYNAMODB;

/**
 * A function's ratio against its target, the time's and the instructions' alike: a function with no
 * SDK (`bare`) has the bare target and must also stay under the bare bytes. Over as printed: a ratio
 * shown as 1.25× is not over 1.25.
 */
export function judged(f: BenchFunction, ratio: number, bytes: number): { bare: boolean; target: number; over: boolean } {
  const bare = floorKey(f.uses) === '';
  const target = bare ? LOAD_TARGET.bareRatio : LOAD_TARGET.ratio;
  return { bare, target, over: Math.round(ratio * 100) / 100 > target || (bare && bytes >= LOAD_TARGET.bareBytes) };
}

/** A function's name as the bench's tables show it: a route's alone, the others' with their kind. */
export const shownName = (f: BenchFunction) => (f.kind === 'route' ? f.name : `${f.name} (${f.kind === 'worker' ? 'stream' : f.kind})`);

export interface Bundles {
  /** Bytes of each function's bundle, by name. */
  bytes: Map<string, number>;
  file: Map<string, string>;
  /** Each floor's file and bytes, by floor key. */
  floors: Map<string, { file: string; bytes: number }>;
}

/** Builds every function's bundle and every floor its functions need: one esbuild build per set of packages left out. */
export async function bundleAll(fns: BenchFunction[], outDir: string): Promise<Bundles> {
  rmSync(outDir, { recursive: true, force: true });
  const srcDir = join(outDir, 'floor-sources');
  mkdirSync(srcDir, { recursive: true });
  const floorKeys = [...new Set(fns.map(floorFor))];
  const entryPoints: Record<string, string> = {};
  for (const f of fns) entryPoints[f.name] = join(ROOT, f.handler);
  for (const key of floorKeys) {
    const parts = key.split('+');
    const uses = {
      table: parts.includes('dynamodb') ? ('read' as const) : undefined,
      payoutKey: parts.includes('kms') ? 'x' : undefined,
      webhookQueue: parts.includes('sqs') ? 'x' : undefined,
      exportsBucket: parts.includes('s3') ? 'x' : undefined,
      providers: parts.filter((p) => PROVIDER_SDK[p]),
    };
    const src = join(srcDir, `${key}.js`);
    writeFileSync(src, floorSource(uses));
    entryPoints[`floor.${key}`] = src;
  }
  // One build per set of deferred packages (its externals); most functions defer none.
  const groups = new Map<string, { deferred: string[]; entryPoints: Record<string, string> }>();
  const groupOf = (deferred: string[]) => {
    const key = deferred.join(',');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { deferred, entryPoints: {} }));
    return g;
  };
  for (const f of fns) groupOf(f.deferred).entryPoints[f.name] = entryPoints[f.name]!;
  for (const key of floorKeys) groupOf([]).entryPoints[`floor.${key}`] = entryPoints[`floor.${key}`]!;
  const bytesOf = new Map<string, number>();
  for (const g of groups.values()) {
    const options = esbuildOptions('', '', g.deferred);
    delete options.outfile;
    const result = await build({ ...options, entryPoints: g.entryPoints, outdir: outDir, outExtension: { '.js': '.mjs' }, absWorkingDir: ROOT });
    for (const [file, o] of Object.entries(result.metafile!.outputs)) bytesOf.set(join(ROOT, file), o.bytes);
  }
  const fileOf = (name: string) => join(outDir, `${name}.mjs`);
  return {
    bytes: new Map(fns.map((f) => [f.name, bytesOf.get(fileOf(f.name))!])),
    file: new Map(fns.map((f) => [f.name, fileOf(f.name)])),
    floors: new Map(floorKeys.map((k) => [k, { file: fileOf(`floor.${k}`), bytes: bytesOf.get(fileOf(`floor.${k}`))! }])),
  };
}

export interface LoadFigures {
  /** CPU ms of the import (the mean of the fastest third of the samples), and the samples. */
  cpuMs: number;
  samples: number[];
  /** The floor the ratio is against: the function's own, or DynamoDB's for a function with no SDK. */
  floor: string;
  floorCpuMs: number;
  floorSamples: number[];
  floorBytes: number;
  ratio: number;
  spread: number;
  /** No SDK: put against the DynamoDB floor, with the bare function's target. */
  bare: boolean;
  /** The ratio's target, and whether the function is over it (for a bare function, also over its bytes). */
  target: number;
  over: boolean;
  /** Wall ms of a load that reads the function's secret keys through the extension; null without secret keys. */
  secretsMs: number | null;
}

// What a function sees at init on Lambda: its config variables (local defaults fill the rest); nothing
// that changes how Node runs (NODE_OPTIONS, a compile cache would make the second load cheaper).
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, STAGE: 'local', AWS_REGION: 'eu-central-1', POWERTOOLS_LOG_LEVEL: 'SILENT', ...extra };
  delete env.NODE_OPTIONS;
  delete env.NODE_COMPILE_CACHE;
  return env;
}

// Asynchronous, so the extension's emulator in this process can answer the loads that read secrets.
const run = promisify(execFile);

/** One load in a fresh process: [CPU ms, wall ms] of the import. */
async function loadOnce(file: string, env: NodeJS.ProcessEnv, nodeArgs: readonly string[]): Promise<[number, number]> {
  const url = JSON.stringify(pathToFileURL(file).href);
  // It exits once the figures are written out: a process left to end by itself took ~40 ms more wall
  // time each (updateTool, ten in a row), of the bench's run.
  const script =
    `const c=process.cpuUsage(),t=performance.now();await import(${url});` +
    'const w=performance.now()-t,d=process.cpuUsage(c);process.stdout.write(JSON.stringify([(d.user+d.system)/1000,w]),()=>process.exit(0));';
  const { stdout } = await run(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], { env, encoding: 'utf8' });
  return JSON.parse(stdout) as [number, number];
}

/** Every sample in the order its load finished (the lanes interleave): [function name, or `floor <key>`, CPU ms]. */
export const LOAD_ORDER: [string, number][] = [];

export async function measureLoads(
  fns: BenchFunction[],
  bundles: Bundles,
  opts: {
    /** Rounds: exactly `runs`, or with `budgetMs`, as many as end within it, between `minRuns` and `runs`. */
    runs: number;
    minRuns?: number;
    budgetMs?: number;
    parallel: number;
    secretsRuns: number;
    /** The flags each load's Node starts with: Lambda's (lib/bundling.ts `lambdaNodeArgs`), or none. */
    nodeArgs: readonly string[];
    progress: Progress;
  },
): Promise<Map<string, LoadFigures>> {
  const env = childEnv();
  const cpu = new Map<string, number[]>();
  const floorCpu = new Map<string, number[]>();
  // Only the floors some function is put against (a bare function's empty floor is not).
  const floors = [...new Set(fns.map(floorFor))];
  type Item = { fn: BenchFunction } | { floor: string };
  const perRound = fns.length + floors.length * FLOOR_SAMPLES_PER_ROUND;
  const started = performance.now();
  // With a budget, the rounds stop once another would end past it (a round takes about as long as the last).
  const minRuns = opts.budgetMs === undefined ? opts.runs : Math.min(opts.runs, opts.minRuns ?? opts.runs);
  let rounds = opts.runs;
  for (let round = 0; round < rounds; round++) {
    const roundStarted = performance.now();
    const random = seededRandom(round + 1);
    // Functions shuffled, floors shuffled and spread evenly among them.
    const placed = [
      ...shuffled(fns, random).map((fn, i, a) => ({ at: (i + 0.5) / a.length, item: { fn } as Item })),
      ...shuffled(floors.flatMap((k) => Array<string>(FLOOR_SAMPLES_PER_ROUND).fill(k)), random).map((floor, i, a) => ({ at: (i + 0.5) / a.length, item: { floor } as Item })),
    ].sort((a, b) => a.at - b.at);
    // `parallel` loads at a time, taken in the shuffled order.
    let next = 0;
    const lane = async () => {
      while (next < placed.length) {
        const i = next++;
        const { item } = placed[i]!;
        const done = round * perRound + i;
        // Until `rounds`, or with a budget until the budget's end, but not before `minRuns`.
        const perLoad = (performance.now() - started) / done;
        const toRounds = perLoad * (rounds * perRound - done);
        const toBudget = opts.budgetMs === undefined ? Infinity : Math.max(perLoad * (minRuns * perRound - done), opts.budgetMs - (performance.now() - started));
        const left = done === 0 ? '' : `, about ${duration(Math.max(0, Math.min(toRounds, toBudget)))} left`;
        const what = 'fn' in item ? item.fn.name : `floor ${item.floor}`;
        opts.progress.update(`module loads: round ${round + 1}/${rounds}${rounds > minRuns ? ' at most' : ''}, ${what} (${i + 1}/${perRound})${left}`);
        if ('fn' in item) {
          const [ms] = await loadOnce(bundles.file.get(item.fn.name)!, env, opts.nodeArgs);
          cpu.set(item.fn.name, [...(cpu.get(item.fn.name) ?? []), ms]);
          LOAD_ORDER.push([item.fn.name, ms]);
        } else {
          const [ms] = await loadOnce(bundles.floors.get(item.floor)!.file, env, opts.nodeArgs);
          floorCpu.set(item.floor, [...(floorCpu.get(item.floor) ?? []), ms]);
          LOAD_ORDER.push([`floor ${item.floor}`, ms]);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.parallel) }, lane));
    const now = performance.now();
    if (!anotherRoundFits({ done: round + 1, minRounds: minRuns, maxRounds: opts.runs, elapsedMs: now - started, lastRoundMs: now - roundStarted, budgetMs: opts.budgetMs })) rounds = round + 1;
  }
  opts.progress.done(`module loads: ${rounds} rounds of ${perRound} fresh processes, ${opts.parallel} at a time, in ${duration(performance.now() - started)}`);

  const secrets = await measureSecrets(fns, bundles, opts);

  const out = new Map<string, LoadFigures>();
  for (const f of fns) {
    const samples = cpu.get(f.name)!;
    const floor = floorFor(f);
    const floorSamples = floorCpu.get(floor)!;
    const { ratio, spread } = ratioWithSpread(samples, floorSamples, fastThirdMean);
    out.set(f.name, {
      cpuMs: fastThirdMean(samples),
      samples,
      floor,
      floorCpuMs: fastThirdMean(floorSamples),
      floorSamples,
      floorBytes: bundles.floors.get(floor)!.bytes,
      ratio,
      spread,
      ...judged(f, ratio, bundles.bytes.get(f.name)!),
      secretsMs: secrets.get(f.name) ?? null,
    });
  }
  return out;
}

/** For each function with secret keys: the median wall ms of a load that reads them through the extension. */
async function measureSecrets(fns: BenchFunction[], bundles: Bundles, opts: { secretsRuns: number; nodeArgs: readonly string[]; progress: Progress }): Promise<Map<string, number>> {
  const withKeys = fns.map((f) => [f, functionSecretKeys(f.uses.providers)] as const).filter(([, keys]) => keys.length > 0);
  const out = new Map<string, number>();
  if (withKeys.length === 0 || opts.secretsRuns < 1) return out;
  // The stage secret as the local stack serves it: its emulators' credentials (shared/config/secrets.ts).
  const credentials: Record<string, string> = Object.assign({}, ...createEmulators().all.map(({ definition }) => definition.env('http://127.0.0.1:1')));
  const extension = await startEmulator(
    // Every key a function may read; one no emulator names (a webhook secret) gets a stand-in value:
    // the bench measures the read, not what is read.
    createSecretsEmulator({ secrets: { [LOCAL_SECRET_NAME]: Object.fromEntries(PROVIDER_SECRET_KEYS.map((k) => [k, credentials[k] ?? 'bench-stand-in'])) } }),
    { port: 0 },
  );
  const started = performance.now();
  try {
    for (const [i, [f, keys]] of withKeys.entries()) {
      opts.progress.update(`secrets: ${f.name} (${i + 1}/${withKeys.length})`);
      // One read of the stage secret, whatever the number of keys.
      const env = childEnv({
        ...extension.definition.env(extension.baseUrl),
        PROVIDER_SECRET_NAME: LOCAL_SECRET_NAME,
        SECRET_KEYS: keys.join(','),
        ...Object.fromEntries(keys.map((k) => [k, ''])),
      });
      const wall: number[] = [];
      for (let r = 0; r < opts.secretsRuns; r++) wall.push((await loadOnce(bundles.file.get(f.name)!, env, opts.nodeArgs))[1]);
      out.set(f.name, median(wall));
    }
  } finally {
    await extension.close();
  }
  opts.progress.done(`secrets: ${withKeys.length} functions, ${opts.secretsRuns} loads each, in ${duration(performance.now() - started)}`);
  return out;
}
