// `npm run redrive [-- --id <id>] [--list]`: hands the stream records the running local stack parked
// (a worker failed them `retryAttempts` times) back to their workers, all or one; `--list` shows them.
// The hub page has the same buttons.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const usage = 'usage: npm run redrive [-- --id <parked record id>] [--list]';
let values: { id?: string; list?: boolean; help?: boolean };
try {
  ({ values } = parseArgs({
    options: { id: { type: 'string' }, list: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  }));
} catch (err) {
  console.error(`${(err as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const file = process.env.STACK_FILE ?? new URL('../.local/stack.json', import.meta.url);
let hubUrl: string;
try {
  hubUrl = (JSON.parse(readFileSync(file, 'utf8')) as { hubUrl: string }).hubUrl;
} catch {
  console.error(`No ${process.env.STACK_FILE ?? '.local/stack.json'}: start the stack first with \`npm start\`.`);
  process.exit(1);
}

const unreachable = () => {
  console.error(`The hub at ${hubUrl} does not answer: is \`npm start\` running?`);
  process.exit(1);
};
interface Parked {
  id: string;
  worker: string;
  event: string;
  keys: { pk?: string; sk?: string };
  attempts: number;
  lastError: string;
}
if (values.list) {
  const res = await fetch(`${hubUrl}/_inspect`).catch(unreachable);
  const { parked } = ((await res.json()) as { streams: { parked: Parked[] } }).streams;
  if (parked.length === 0) console.log('No parked stream records.');
  for (const p of parked) console.log(`${p.id}  ${p.worker}  ${p.event} ${p.keys.pk} / ${p.keys.sk}  ×${p.attempts}  ${p.lastError}`);
} else {
  const res = await fetch(`${hubUrl}/_streams/redrive`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(values.id ? { id: values.id } : {}),
  }).catch(unreachable);
  const { redriven } = (await res.json()) as { redriven: number };
  console.log(`Re-drove ${redriven} parked record${redriven === 1 ? '' : 's'}.`);
  if (values.id && redriven === 0) process.exit(1);
}
