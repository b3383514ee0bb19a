// `npm run -s token -- --sub 'auth0|someone' [--admin] [--partner] [--email e [--unverified]] [--name n] [--hours h]`:
// prints a valid access token, alone on stdout (with -s, npm prints nothing of its own), minted by the
// running local stack's Auth0 emulator.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const USAGE = `usage: npm run -s token -- --sub '<user id>' [--admin] [--partner] [--email <e> [--unverified]] [--name <n>] [--hours <h>]
  --sub      the user id (the token's sub), e.g. 'auth0|someone' (quote it: | is a pipe in a shell)
  --admin    give the token the admin permission
  --partner  give the token the partner permission
  --email    the email claim, which the token says Auth0 verified (--unverified: that it did not);
             --name the name claim
  --hours    how long the token is valid (default 24)`;

let values: { sub?: string; admin?: boolean; partner?: boolean; email?: string; unverified?: boolean; name?: string; hours?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      sub: { type: 'string' },
      admin: { type: 'boolean', default: false },
      partner: { type: 'boolean', default: false },
      email: { type: 'string' },
      unverified: { type: 'boolean', default: false },
      name: { type: 'string' },
      hours: { type: 'string', default: '24' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const hours = Number(values.hours);
if (!values.sub || !Number.isFinite(hours) || hours <= 0) {
  console.error(USAGE);
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
    emailVerified: values.email === undefined ? undefined : !values.unverified,
    name: values.name,
    expiresInSeconds: Math.min(7 * 86400, Math.round(hours * 3600)),
  }),
}).catch(() => undefined);
if (!res?.ok) {
  console.error(`The Auth0 emulator at ${stack.emulators.auth0} did not mint a token: is \`npm start\` running?`);
  process.exit(1);
}
const { access_token } = (await res.json()) as { access_token: string };
process.stdout.write(`${access_token}\n`);
