// Runs in every test worker (vitest setupFiles): everything written to stdout and stderr (the
// functions' Powertools log lines among it) goes to .local/test-logs/<pid>.log instead of the
// terminal, so test/logs/ can check every line the suites produced for secrets.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(new URL('../../', import.meta.url).pathname, '.local', 'test-logs');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${process.pid}.log`);

for (const stream of [process.stdout, process.stderr]) {
  stream.write = ((chunk: string | Uint8Array, encodingOrCb?: unknown, cb?: unknown) => {
    appendFileSync(file, typeof chunk === 'string' ? chunk : Buffer.from(chunk));
    const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
    if (typeof done === 'function') done();
    return true;
  }) as typeof stream.write;
}
