// `npm start`: the whole Fonella backend on this machine, no cloud account. Writes .local/stack.json
// and prints the demo users' tokens and a few curl lines.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEMO_PARTNER_INVITE, REPO_ROOT, startStack } from '../lib/local/stack';
import { workers } from '../lib/workers';

const port = Number(process.env.PORT ?? 3000);
let stack: Awaited<ReturnType<typeof startStack>>;
try {
  stack = await startStack({ apiPort: port, emulatorBasePort: Number(process.env.EMULATOR_PORT ?? 4000), hotlineDemo: true, billingClock: true });
} catch (err) {
  // What went wrong, in one message (a taken port, no Java...), not a stack trace.
  console.error(`\nnpm start: ${(err as Error).message}`);
  process.exit(1);
}

const info = {
  apiUrl: stack.apiUrl,
  hubUrl: stack.hubUrl,
  // The API reference on the hub (openapi/fonella.yaml, "try it" against apiUrl).
  docsUrl: `${stack.hubUrl}/docs`,
  dynamoEndpoint: stack.dynamoEndpoint,
  tableName: stack.tableName,
  emulators: stack.emulators,
  credentials: stack.credentials,
  tokens: stack.tokens,
  // The demo customer's developer API key (every scope): `Authorization: Bearer fon_live_…`.
  apiKeys: stack.apiKeys,
  // The demo partner's invite token (POST /v1/partner/activate with the partner token).
  demoPartnerInvite: DEMO_PARTNER_INVITE,
  // The demo customer's Stripe test clock (POST <stripe>/_simulate/advance-clock {clockId, by: "month"}).
  demoClockId: stack.demoClockId,
};
// STACK_FILE lets a second stack (e.g. the start-up test) run without overwriting yours.
const stackFile = process.env.STACK_FILE ?? join(REPO_ROOT, '.local', 'stack.json');
mkdirSync(dirname(stackFile), { recursive: true });
// Tokens and every emulator credential: readable by this user only.
writeFileSync(stackFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
chmodSync(stackFile, 0o600);

const api = stack.apiUrl;
console.log(`
Fonella backend running locally
  API            ${api}
  API reference  ${info.docsUrl}   (try it here with the demo tokens)
  Emulators      ${stack.hubUrl}   (emails, calls, provisioned resources, parked stream records)
${Object.entries(stack.emulators).map(([n, u]) => `    ${n.padEnd(12)} ${u}`).join('\n')}
  DynamoDB Local ${stack.dynamoEndpoint}  table ${stack.tableName}
  Node.js        ${process.version} (the functions' runtime on Lambda: nodejs${process.versions.node.split('.')[0]}.x)
  Stack file     .local/stack.json
  Stream workers ${Object.keys(workers).join(', ')}  (re-drive parked records: npm run redrive)

Demo tokens (valid 7 days; a fresh one: npm run -s token -- --sub '<id>' [--admin] [--partner]):
  customer  ${stack.tokens.customer}
  admin     ${stack.tokens.admin}
  partner   ${stack.tokens.partner}
Demo API key of the customer (every scope; POST /v1/me/api-keys makes more):
  ${stack.apiKeys.customer}

Try:
  curl ${api}/v1/health
  curl ${api}/v1/public/plans
  curl -X POST ${api}/v1/public/contact -H 'content-type: application/json' \\
       -d '{"name":"Ada","email":"ada@example.com","message":"Call me back"}'
  curl -X POST ${api}/v1/public/support-tickets -H 'content-type: application/json' -H 'accept-language: en' \\
       -d '{"email":"ada@example.com","title":"No calls","content":"Every call rings out.","ticketPriority":"major"}'
  curl -X POST ${api}/v1/public/callback-requests -H 'content-type: application/json' \\
       -d '{"phoneNumber":"+491701234567","locale":"en","company":"Ada Ltd"}'
  KEY=$(node -p "require('./.local/stack.json').apiKeys.customer")
  curl ${api}/v1/me/calls -H "authorization: Bearer $KEY"      (the demo customer's calls, with its API key)
  TOKEN=$(node -p "require('./.local/stack.json').tokens.customer")
  curl ${api}/v1/me -H "authorization: Bearer $TOKEN"
  curl -X POST ${api}/v1/me/subscription -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"planId":"business"}'
       (then "Payment succeeds" beside the subscription on the hub, as the portal's payment confirmation;
        "Advance one month" beside the demo customer's test clock makes a month pass: the renewal)
  curl -X PUT ${api}/v1/me/assistant -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
       -d '{"greeting":"Demo GmbH, good morning!","language":"en"}'

Ctrl+C stops everything.`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping...`);
  await stack.stop();
  // A stopped stack leaves no file that points at it.
  rmSync(stackFile, { force: true });
  process.exit(0);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
// Whoever started us (npm, a process manager) may die without passing a signal on (kill -9):
// then this process is re-parented, and it stops rather than live on with the ports and the JVM.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown('parent process gone');
}, 1000).unref();
