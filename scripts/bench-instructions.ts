// `npm run bench -- --instructions`: the steady figure of what loading each function costs over its
// floor: the machine instructions the import executes, counted by valgrind (callgrind), for every
// function and every floor the time figures use (scripts/bench-loads.ts).
//
// Why a second figure. The CPU time of a load moves with the machine: on a shared 2-core machine a
// sample's spread is 5–10 %, and two back-to-back runs of 32 rounds differ by up to 0.08–0.11 on
// some function's ratio however the samples are summarised. The count of instructions does not
// depend on what else the machine runs: with ASLR off (setarch -R) and V8's `--predictable` (one
// thread does all of V8's work, in the same order every time), a load executes the same
// instructions every time, to the last one or within a few hundred thousand of half a billion,
// so one load per bundle gives the figure and two runs agree to the third decimal.
//
// What it does not count: the kernel's side (page faults) and how fast memory serves the
// instructions. Where a function's import makes V8 grow its young generation once more than its
// floor's does (about 19 MB of heap against 13.6), the fresh pages cost ~700 page faults more and
// its CPU-time ratio sits 0.07-0.12 above its instruction ratio; the floor meets that growth at its
// first request (README, "The steady figure"). The CPU time stays the bench's measure of load time;
// the instruction count is the one a change can be judged by on any machine, run to run.
//
// Each load: `setarch <arch> -R valgrind --tool=callgrind node --predictable -e 'await import(bundle)'`,
// in the environment the time figures use. The count includes Node's own start, so an import of an
// empty module is counted the same way and taken off every figure. Under valgrind a load takes 5 to
// 15 s; BENCH_PARALLEL of them run at once (the count does not depend on neighbours).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { childEnv, floorFor, floorKey, judged, type BenchFunction, type Bundles } from './bench-loads';
import { duration, type Progress } from './bench-progress';

const run = promisify(execFile);

export interface InstructionFigures {
  /** Instructions of the import, Node's own start taken off. */
  instructions: number;
  floor: string;
  floorInstructions: number;
  ratio: number;
  bare: boolean;
  target: number;
  over: boolean;
}

/** The instruction count callgrind prints at exit ("==123== Collected : 477876771"). */
export function collectedInstructions(stderr: string): number {
  const m = /^==\d+== Collected : (\d+)$/m.exec(stderr);
  if (!m) throw new Error(`no instruction count in valgrind's output:\n${stderr.slice(-2000)}`);
  return Number(m[1]);
}

/** Whether valgrind and setarch are on this machine (the bench says how to get them when not). */
export async function instructionCounterMissing(): Promise<string | null> {
  for (const [cmd, args] of [
    ['valgrind', ['--version']],
    ['setarch', ['--version']],
  ] as const) {
    try {
      await run(cmd, [...args]);
    } catch {
      return `${cmd} is not on this machine (Debian: apt-get install ${cmd === 'setarch' ? 'util-linux' : 'valgrind'})`;
    }
  }
  return null;
}

const SETARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

/** Instructions of one load of `file` in a fresh process, Node's start included. */
async function countOnce(file: string, env: NodeJS.ProcessEnv, nodeArgs: readonly string[]): Promise<number> {
  const script = `await import(${JSON.stringify(pathToFileURL(file).href)});`;
  const { stderr } = await run(
    'setarch',
    [SETARCH[arch()] ?? arch(), '-R', 'valgrind', '--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...nodeArgs, '--predictable', '--input-type=module', '-e', script],
    { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  return collectedInstructions(stderr);
}

export async function measureInstructions(
  fns: BenchFunction[],
  bundles: Bundles,
  opts: { parallel: number; outDir: string; nodeArgs: readonly string[]; progress: Progress },
): Promise<{ figures: Map<string, InstructionFigures>; repeat: { floor: string; first: number; second: number } }> {
  const env = childEnv();
  const empty = join(opts.outDir, 'empty.mjs');
  writeFileSync(empty, '');
  const floors = [...new Set(fns.map(floorFor))];
  const dynamodb = floorKey({ table: 'read' });
  // One floor (DynamoDB's where it is measured) is loaded a second time, last: the two counts show how exact the count is.
  const repeated = floors.includes(dynamodb) ? dynamodb : floors[0]!;
  const jobs: { key: string; file: string }[] = [
    { key: 'empty', file: empty },
    ...floors.map((k) => ({ key: `floor ${k}`, file: bundles.floors.get(k)!.file })),
    ...fns.map((f) => ({ key: f.name, file: bundles.file.get(f.name)! })),
    { key: 'repeat', file: bundles.floors.get(repeated)!.file },
  ];
  const counts = new Map<string, number>();
  const started = performance.now();
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const left = done === 0 ? '' : `, about ${duration(((performance.now() - started) / done) * (jobs.length - done))} left`;
      opts.progress.update(`instructions: ${job.key} (${done + 1}/${jobs.length})${left}`);
      counts.set(job.key, await countOnce(job.file, env, opts.nodeArgs));
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel) }, lane));
  opts.progress.done(`instructions: ${jobs.length} loads under valgrind, ${opts.parallel} at a time, in ${duration(performance.now() - started)}`);

  const base = counts.get('empty')!;
  const net = (key: string) => counts.get(key)! - base;
  const figures = new Map<string, InstructionFigures>();
  for (const f of fns) {
    const floor = floorFor(f);
    const ratio = net(f.name) / net(`floor ${floor}`);
    figures.set(f.name, { instructions: net(f.name), floor, floorInstructions: net(`floor ${floor}`), ratio, ...judged(f, ratio, bundles.bytes.get(f.name)!) });
  }
  return { figures, repeat: { floor: repeated, first: net(`floor ${repeated}`), second: net('repeat') } };
}
