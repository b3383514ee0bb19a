// The test tiers, as vitest projects; `npm test` runs them all, `npm run test:<tier>` one alone.
// Groups run one after the other (`sequence.groupOrder`), the projects of a group side by side:
//   0  unit (no stack) · contract (one emulator per file) · integration (the local stack, one per
//      worker) · isolated (a stack per file): mostly waiting on HTTP and DynamoDB Local, so more
//      workers than the 2 cores this is built on;
//   1  infra (CDK synth, cdk-nag, esbuild): CPU-bound, alone;
//   2  e2e (`npm start`, Chromium): whole stacks of their own, alone;
//   3  logs: every line the groups before it captured, checked for secrets.
// What keeps workers apart: each is its own process (forks), so `process.env` (which a local stack
// sets for its handlers) is per worker; every stack listens on free ports (port 0) and makes its own
// table; the log capture writes .local/test-logs/<pid>.log; the e2e suites give `npm start` its own
// ports and a stack file in a temporary folder.
import { defineConfig } from 'vitest/config';
import { OWN_STACK } from './test/projects.ts';
import Sequencer from './test/sequencer.ts';

/** Workers for the I/O-bound group (TEST_WORKERS overrides). */
const IO_WORKERS = Number(process.env.TEST_WORKERS ?? 6);

const logged = {
  // Everything a worker writes goes to .local/test-logs/<pid>.log, for the `logs` project.
  setupFiles: ['test/support/capture-logs.ts'],
  testTimeout: 20_000,
  hookTimeout: 60_000,
  // DEBUG: every log line the functions can write is produced, captured and checked for secrets.
  env: { STAGE: 'test', POWERTOOLS_LOG_LEVEL: 'DEBUG' },
};
// Six workers on two cores: a test that takes 3 s alone took up to 20 s beside the others in CI runs
// (test/integration/devices.test.ts, 300 requests at once), so the I/O group waits longer before it
// calls a test hung.
const io = { ...logged, testTimeout: 40_000, maxWorkers: IO_WORKERS, sequence: { groupOrder: 0 } };

export default defineConfig({
  test: {
    // Which file first: the shared-stack files together, the longest first (test/sequencer.ts).
    sequence: { sequencer: Sequencer },
    projects: [
      { test: { ...io, name: 'unit', include: ['test/unit/**/*.test.ts'], globalSetup: ['test/setup/run.ts'] } },
      { test: { ...io, name: 'contract', include: ['test/contract/**/*.test.ts'], globalSetup: ['test/setup/run.ts'] } },
      {
        test: {
          ...io,
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
          exclude: OWN_STACK,
          // One module graph per worker: its stack (test/support/stack.ts `workerStack`) and its
          // handlers stay loaded from one file to the next.
          isolate: false,
          globalSetup: ['test/setup/run.ts'],
        },
      },
      { test: { ...io, name: 'isolated', include: OWN_STACK, globalSetup: ['test/setup/run.ts'] } },
      { test: { ...logged, name: 'infra', include: ['test/infra/**/*.test.ts'], maxWorkers: 1, sequence: { groupOrder: 1 }, globalSetup: ['test/setup/run.ts'] } },
      { test: { ...logged, name: 'e2e', include: ['test/e2e/**/*.test.ts'], maxWorkers: 1, sequence: { groupOrder: 2 }, globalSetup: ['test/setup/run.ts'] } },
      {
        test: {
          name: 'logs',
          include: ['test/logs/**/*.test.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 3 },
          env: { STAGE: 'test', POWERTOOLS_LOG_LEVEL: 'SILENT' },
        },
      },
    ],
  },
});
