// One provider emulator for a contract-test file: started before the tests on a free port, reset
// before each test, closed after. The helpers talk to its underscore endpoints over HTTP.
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startEmulator, type EmulatorDefinition, type RunningEmulator } from '../../lib/local/emulators/kit';

export interface Fault {
  mode: 'error' | 'timeout';
  count?: number;
  match?: string;
}

export interface EmulatorHandle {
  /** The running emulator's base URL (valid inside tests and hooks). */
  readonly baseUrl: string;
  readonly running: RunningEmulator;
  inspect<T>(): Promise<T>;
  fault(fault: Fault): Promise<void>;
  /** Faults not consumed yet. */
  pending(): Promise<{ mode: string; count: number; match?: string }[]>;
}

export function useEmulator(definition: EmulatorDefinition): EmulatorHandle {
  let running: RunningEmulator | undefined;
  const started = () => {
    if (!running) throw new Error('the emulator starts in beforeAll; use it inside tests or hooks');
    return running;
  };
  beforeAll(async () => {
    running = await startEmulator(definition, { port: 0 });
  });
  beforeEach(async () => {
    await fetch(`${started().baseUrl}/_reset`, { method: 'POST' });
  });
  afterAll(async () => {
    await running?.close();
  });
  return {
    get baseUrl() {
      return started().baseUrl;
    },
    get running() {
      return started();
    },
    async inspect<T>() {
      return (await (await fetch(`${started().baseUrl}/_inspect`)).json()) as T;
    },
    async fault(fault: Fault) {
      const res = await fetch(`${started().baseUrl}/_faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count: 1, ...fault }),
      });
      expect(res.status).toBe(201);
    },
    async pending() {
      return ((await (await fetch(`${started().baseUrl}/_faults`)).json()) as { pending: { mode: string; count: number; match?: string }[] }).pending;
    },
  };
}
