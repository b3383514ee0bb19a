// `npm run bench:streams`: the local end-to-end delay of a stream side effect, write → effect. Starts
// its own stack (DynamoDB Local, emulators, API, stream tailer on free ports), then sends contact
// forms and times, for each, from the API's 202 (the row is written) to the moment the Mailgun
// emulator accepted the worker's email. Two runs of N records (BENCH_RECORDS, default 100): one at a
// time, and N at once, 10 in flight. Prints p50/p95/max; asserts nothing.
import { startStack } from '../lib/local/stack';
import { SUITE_LIMITS } from '../lib/local/limits';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const N = Number(process.env.BENCH_RECORDS ?? 100);
const stack = await startStack({ apiPort: 0, emulatorBasePort: 0, env: SUITE_LIMITS });

interface Mail {
  variables: Record<string, string>;
  receivedAt: string;
}
const answeredAt = new Map<string, number>();

async function send(i: number): Promise<void> {
  const res = await fetch(`${stack.apiUrl}/v1/public/contact`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Bench ${i}`, email: 'bench@example.com', message: `record ${i}` }),
  });
  const { requestId } = (await res.json()) as { requestId: string };
  answeredAt.set(requestId, Date.now());
}

async function delays(ids: string[]): Promise<number[]> {
  for (;;) {
    const { messages } = (await (await fetch(`${stack.emulators.mailgun}/_inspect`)).json()) as { messages: Mail[] };
    const at = new Map(messages.map((m) => [m.variables.requestId!, Date.parse(m.receivedAt)]));
    if (ids.every((id) => at.has(id))) return ids.map((id) => at.get(id)! - answeredAt.get(id)!);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const line = (label: string, xs: number[]) =>
  console.log(`${label.padEnd(28)} n=${xs.length}  p50 ${pct(xs, 50)} ms  p95 ${pct(xs, 95)} ms  max ${Math.max(...xs)} ms`);

try {
  // Warm-up: the first record pays the worker's cold start (module load), as on Lambda.
  await send(-1);
  await delays([...answeredAt.keys()]);
  answeredAt.clear();

  const one: number[] = [];
  for (let i = 0; i < N; i++) {
    await send(i);
    const id = [...answeredAt.keys()].at(-1)!;
    one.push(...(await delays([id])));
  }
  answeredAt.clear();

  let next = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < N) await send(N + next++);
    }),
  );
  const burst = await delays([...answeredAt.keys()]);

  console.log(`node ${process.version}; write (202 answered) → email accepted by the Mailgun emulator\n`);
  line('one at a time', one);
  line(`${N} at once, 10 in flight`, burst);
} finally {
  await stack.stop();
}
