// Run by test/e2e/stop.test.ts in its own process: start the whole stack, send a contact form through
// the API and the stream worker, stop, and return without process.exit.
import { startStack } from '../../lib/local/stack';

const stack = await startStack({ apiPort: 0, emulatorBasePort: 0 });
await fetch(`${stack.apiUrl}/v1/public/contact`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'Stop Test', email: 'stop@example.com', message: 'Then stop.' }),
});
const deadline = Date.now() + 10_000;
for (;;) {
  const { messages } = (await (await fetch(`${stack.emulators.mailgun}/_inspect`)).json()) as { messages: unknown[] };
  if (messages.length > 0) break;
  if (Date.now() > deadline) throw new Error('no mail within 10 s');
  await new Promise((r) => setTimeout(r, 20));
}
process.stdout.write('mail sent\n');
await stack.stop();
process.stdout.write('stopped\n');
