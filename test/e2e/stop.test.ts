// Stopping the local stack leaves nothing running in the process: no stream tailer, timer, server or
// socket keeps Node alive. The script starts a stack, lets the stream worker send an email, stops the
// stack and then simply returns; the process must exit on its own.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

describe('stopping the stack', () => {
  it('lets the process exit by itself once stop() resolves', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/start-stop.ts'], {
      cwd: root,
      env: { ...process.env, STAGE: 'local', POWERTOOLS_LOG_LEVEL: 'SILENT' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exit = await new Promise<{ code: number | null; afterStopMs: number }>((resolve) => {
      let stoppedAt = 0;
      child.stdout.on('data', (c: Buffer) => {
        if (c.toString().includes('stopped')) stoppedAt = Date.now();
      });
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', (code) => {
        clearTimeout(killer);
        resolve({ code, afterStopMs: stoppedAt ? Date.now() - stoppedAt : Infinity });
      });
    });
    expect(output).toContain('mail sent');
    expect(exit.code, output).toBe(0);
    // Nothing pending: the event loop empties at once (a leaked 20 ms poll or a keep-alive would hold it).
    expect(exit.afterStopMs, output).toBeLessThan(5000);
  }, 30_000);
});
