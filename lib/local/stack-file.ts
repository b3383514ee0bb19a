// .local/stack.json: what `npm start` runs (URLs, tokens, credentials), for scripts, tests and people.
// A contract: keys are added, never changed. `npm start` prints it as its banner, and `npm run -s
// status` prints it again from the file.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface StackFile {
  apiUrl: string;
  hubUrl: string;
  /** The API reference on the hub (openapi/fonella.yaml, "try it" against apiUrl). */
  docsUrl: string;
  dynamoEndpoint: string;
  tableName: string;
  emulators: Record<string, string>;
  credentials: Record<string, Record<string, string>>;
  tokens: Record<'customer' | 'admin' | 'partner', string>;
  /** The demo partner's invite token (POST /v1/partner/activate with the partner token). */
  demoPartnerInvite: string;
  /** The demo customer's developer API key (every scope): `Authorization: Bearer fon_live_…`. */
  apiKeys?: { customer: string };
  /** The demo customer's Stripe test clock (POST <stripe>/_simulate/advance-clock {clockId, by: "month"}). */
  demoClockId?: string;
  /** This run's log file: the functions' JSON lines (bin/local.ts). */
  logFile?: string;
  /** The Node.js that runs the stack. */
  nodeVersion?: string;
  /** The stream workers (lib/workers.ts). */
  workers?: string[];
}

/** Where the stack file is: STACK_FILE, or .local/stack.json (a second stack, e.g. the start-up test's, sets its own). */
export function stackFilePath(root: string): string {
  return process.env.STACK_FILE ?? join(root, '.local', 'stack.json');
}

/** Writes the stack file for this user only (mode 0600): it holds tokens and every emulator credential. */
export function writeStackFile(file: string, info: StackFile): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function readStackFile(file: string): StackFile | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StackFile) : undefined;
}

/** The banner: the URLs, the hub, the tokens and a few curl lines to start with. */
export function banner(info: StackFile, root: string): string {
  const api = info.apiUrl;
  const node = info.nodeVersion ?? process.version;
  const at = (file: string) => (file.startsWith(root) ? relative(root, file) : file);
  return `Fonella backend running locally
  API            ${api}
  API reference  ${info.docsUrl}   (try it here with the demo tokens)
  Emulators      ${info.hubUrl}   (emails, calls, provisioned resources, the request timeline, parked stream records)
${Object.entries(info.emulators).map(([n, u]) => `    ${n.padEnd(12)} ${u}`).join('\n')}
  DynamoDB Local ${info.dynamoEndpoint}  table ${info.tableName}
  Node.js        ${node} (the functions' runtime on Lambda: nodejs${node.replace(/^v/, '').split('.')[0]}.x)
  Stack file     ${at(stackFilePath(root))}   (this again: npm run -s status)
${info.logFile ? `  Log file       ${at(info.logFile)}   (the functions' JSON lines; LOG_FORMAT=json npm start shows them here)\n` : ''}${
    info.workers ? `  Stream workers ${info.workers.join(', ')}  (re-drive parked records: npm run redrive)\n` : ''
  }
Demo tokens (valid 7 days; a fresh one: npm run -s token -- --sub '<id>' [--admin] [--partner]):
  customer  ${info.tokens.customer}
  admin     ${info.tokens.admin}
  partner   ${info.tokens.partner}
${info.apiKeys ? `Demo API key of the customer (every scope; POST /v1/me/api-keys makes more):\n  ${info.apiKeys.customer}\n` : ''}
Try:
  curl ${api}/v1/health
  curl ${api}/v1/public/plans
  curl -X POST ${api}/v1/public/contact -H 'content-type: application/json' \\
       -d '{"name":"Ada","email":"ada@example.com","message":"Call me back"}'
  curl -X POST ${api}/v1/public/support-tickets -H 'content-type: application/json' -H 'accept-language: en' \\
       -d '{"email":"ada@example.com","title":"No calls","content":"Every call rings out.","ticketPriority":"major"}'
  curl -X POST ${api}/v1/public/callback-requests -H 'content-type: application/json' \\
       -d '{"phoneNumber":"+491701234567","locale":"en","company":"Ada Ltd"}'
${info.apiKeys ? `  KEY=$(node -p "require('./.local/stack.json').apiKeys.customer")\n  curl ${api}/v1/me/calls -H "authorization: Bearer $KEY"      (the demo customer's calls, with its API key)\n` : ''}  TOKEN=$(node -p "require('./.local/stack.json').tokens.customer")
  curl ${api}/v1/me -H "authorization: Bearer $TOKEN"
  curl -X POST ${api}/v1/me/subscription -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"planId":"business"}'
       (then "Payment succeeds" beside the subscription on the hub, as the portal's payment confirmation;
        "Advance one month" beside the demo customer's test clock makes a month pass: the renewal)
  curl -X PUT ${api}/v1/me/assistant -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
       -d '{"greeting":"Demo GmbH, good morning!","language":"en"}'
  curl -X POST ${api}/v1/me/subscription/plan-change -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"targetPlanId":"starter"}'
       (Starter has no number here: an email says when it goes; "Advance one month" gives it back to the pool)`;
}
