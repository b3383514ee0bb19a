// `npm run token -- --sub <id> [--admin] [--partner] [--email e] [--name n]`: prints a valid access
// token, alone on stdout, minted by the running local stack's Auth0 emulator.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    sub: { type: 'string' },
    admin: { type: 'boolean', default: false },
    partner: { type: 'boolean', default: false },
    email: { type: 'string' },
    name: { type: 'string' },
    hours: { type: 'string', default: '24' },
  },
});
if (!values.sub) {
  console.error('usage: npm run token -- --sub <id> [--admin] [--partner] [--email <e>] [--name <n>] [--hours <h>]');
  process.exit(2);
}
let stack: { emulators: { auth0: string } };
try {
  // STACK_FILE: the same override `npm start` honours.
  stack = JSON.parse(readFileSync(process.env.STACK_FILE ?? new URL('../.local/stack.json', import.meta.url), 'utf8'));
} catch {
  console.error(`No ${process.env.STACK_FILE ?? '.local/stack.json'}: start the stack first with \`npm start\`.`);
  process.exit(1);
}
const permissions = [...(values.admin ? ['admin'] : []), ...(values.partner ? ['partner'] : [])];
const res = await fetch(`${stack.emulators.auth0}/_token`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    sub: values.sub,
    permissions,
    email: values.email,
    name: values.name,
    expiresInSeconds: Math.round(Number(values.hours) * 3600),
  }),
}).catch(() => undefined);
if (!res?.ok) {
  console.error(`The Auth0 emulator at ${stack.emulators.auth0} did not mint a token: is \`npm start\` running?`);
  process.exit(1);
}
const { access_token } = (await res.json()) as { access_token: string };
process.stdout.write(`${access_token}\n`);
