// Global set-up of every test project but `logs` (vitest `globalSetup`, in the main process): the log
// capture (test/support/capture-logs.ts) starts empty once per run, whichever projects the run
// selects, so the `logs` project checks only what this run wrote. The projects' set-ups are separate
// module instances: "once per run" is a mark on globalThis.
import { rmSync } from 'node:fs';

const KEY = Symbol.for('fonella.test.logs-cleared');

export default function setup() {
  const run = globalThis as Record<symbol, boolean | undefined>;
  if (run[KEY]) return;
  run[KEY] = true;
  rmSync(new URL('../../.local/test-logs', import.meta.url), { recursive: true, force: true });
}
