// The whole stack on this machine: DynamoDB Local and the table, every provider emulator behind the
// hub, the local API server invoking the Lambda handler files, the stream tailer invoking the worker
// handler files, the queue poller invoking the queue workers' (the webhook attempts), and the demo users. `npm start` and the integration tests both start it through
// `startStack`.
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { queueWorkers } from '../queues';
import { routes } from '../routes';
import { PROVIDER_SECRET_KEYS } from '../settings';
import { workers } from '../workers';
import { tableRef, type TableRef } from '../../shared/db/client';
import { poolAssignments } from '../../shared/db/pool';
import { teardownsRepository } from '../../shared/db/teardowns';
import { usersRepository } from '../../shared/db/users';
import { hashInviteToken, partnersRepository } from '../../shared/db/partners';
import { poolRepository } from '../../shared/db/pool';
import { sipgateAdapter } from '../../shared/providers/sipgate/adapter';
import { startApiServer } from './api-server';
import { ensureTable, startDynamoLocal, type DynamoLocal } from './dynamo';
import { createEmulators } from './emulators';
import { startHub } from './emulators/hub';
import type { JambonzEmulator } from './emulators/jambonz';
import { startEmulator, sumMotion, type Motion, type RunningEmulator } from './emulators/kit';
import { LOCAL_SECRET_NAME } from './emulators/secrets';
import type { StripeEmulator } from './emulators/stripe';
import { tapOutput } from './output';
import { startQueuePoller, type RunningQueuePoller } from './queues';
import { startStreamTailer, type RunningTailer, type StreamTailerOptions } from './streams';
import { startTrace, type Trace } from './trace';
import { webhookDeliveryLog } from './webhook-log';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How long the stack's own table calls (and a test's, through `LocalStack.table`) wait on DynamoDB Local. */
const TOOLING_REQUEST_TIMEOUT_MS = 15_000;

export interface StackOptions {
  /** 0 picks a free port. Default 3000. */
  apiPort?: number;
  /** The hub listens here, emulators on the following ports; 0 picks free ports. Default 4000. */
  emulatorBasePort?: number;
  /** Use a running DynamoDB Local instead of starting one. */
  dynamoEndpoint?: string;
  dynamoPort?: number;
  /** Options for the JVM of a DynamoDB Local the stack starts (lib/local/dynamo.ts `LIGHT_JVM`). */
  dynamoJvmOptions?: string[];
  tableName?: string;
  /** The stream tailer's first retry delay (doubling per attempt); default 100 ms. */
  streamRetryBaseMs?: number;
  /** Loads a stream worker's handler for the tailer; default: import its file, once (the bench wraps it). */
  loadWorker?: StreamTailerOptions['load'];
  /** Seed the hotline demo (lib/local/seed-hotlines.ts): `npm start` and the bench do; a test stack starts without it. */
  hotlineDemo?: boolean;
  /**
   * Put the demo customer's Stripe customer on a test clock (lib/local/seed-billing.ts), so a month can
   * pass for its subscription: `npm start` does; a test stack starts without it.
   */
  billingClock?: boolean;
  /**
   * The handlers' environment beneath what process.env already sets: the suites and the bench pass
   * their high limits (./limits.ts `SUITE_LIMITS`), which a suite's own setting overrides.
   */
  env?: Record<string, string>;
}

export interface DemoUser {
  sub: string;
  email: string;
  name: string;
  permissions: string[];
}

export const DEMO_USERS: Record<'customer' | 'admin' | 'partner', DemoUser> = {
  customer: { sub: 'auth0|demo-customer', email: 'customer@demo.fonella.local', name: 'Demo Customer', permissions: [] },
  admin: { sub: 'auth0|demo-admin', email: 'admin@demo.fonella.local', name: 'Demo Admin', permissions: ['admin'] },
  partner: { sub: 'auth0|demo-partner', email: 'partner@demo.fonella.local', name: 'Demo Partner', permissions: ['partner'] },
};

/** The demo partner's record: active, linked to the demo partner user (so no invite is sent). */
export const DEMO_PARTNER = { partnerId: '00000000-0000-4000-8000-00000000d3e0', publicCode: 'DEMOPRTN' } as const;
/**
 * The demo partner's invite, as if emailed: the demo partner user activates with it (or with the
 * token of a fresh invite the demo admin sends). Listed in .local/stack.json as `demoPartnerInvite`.
 */
export const DEMO_PARTNER_INVITE = 'local-demo-partner-invite-token';

export interface LocalStack {
  apiUrl: string;
  hubUrl: string;
  dynamoEndpoint: string;
  tableName: string;
  /** The table, for the stack's user (a test, a script): a client that waits as long as a busy DynamoDB Local takes, not a function's 2 s. */
  table: TableRef;
  emulators: Record<string, string>;
  credentials: Record<string, Record<string, string>>;
  tokens: Record<keyof typeof DEMO_USERS, string>;
  /** The demo customer's API key (every scope, no expiry), made at each start: `.local/stack.json` `apiKeys.customer`. */
  apiKeys: { customer: string };
  running: RunningEmulator[];
  /** The local event source mappings of the stream workers. */
  streams: RunningTailer;
  /** What each request and stream-worker invocation did (./trace.ts): the hub's timeline, `npm start`'s short lines. */
  trace: Trace;
  /** The local event source mappings of the queue workers (the webhook attempts). */
  queues: RunningQueuePoller;
  /** The demo customer's Stripe test clock, with `billingClock`. */
  demoClockId?: string;
  /**
   * What the stack has under way (requests the API serves, worker runs, messages and webhook
   * deliveries waiting, the emulators' own runs) and how much it has begun: two readings with nothing
   * active and the same count bracket a time in which nothing changed (the tests' `settle`).
   */
  motion(): Motion;
  /** Mints a token for any local user, as Auth0 would. */
  mintToken(input: { sub: string; email?: string; emailVerified?: boolean; name?: string; permissions?: string[]; expiresInSeconds?: number }): Promise<string>;
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<LocalStack> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => console.error(e));
  };
  try {
    // First: the trace sees every table client the handlers create, and every log line they write.
    const trace = startTrace();
    const untap = tapOutput((line) => {
      trace.line(line);
      return line;
    });
    cleanups.push(async () => {
      untap();
      trace.stop();
    });
    const base = opts.emulatorBasePort ?? 4000;
    const set = createEmulators();
    // Before anything starts: a taken port would otherwise fail seconds later with a raw EADDRINUSE.
    await ensurePortsFree([
      { port: opts.apiPort ?? 3000, what: 'the API', moveWith: 'PORT' },
      ...(base === 0 ? [] : [0, ...set.all.map((e) => e.portOffset)].map((o) => ({ port: base + o, what: o === 0 ? 'the hub' : 'an emulator', moveWith: 'EMULATOR_PORT' }))),
    ]);
    let dynamoEndpoint = opts.dynamoEndpoint;
    if (!dynamoEndpoint) {
      const dynamo: DynamoLocal = await startDynamoLocal({ port: opts.dynamoPort, jvmOptions: opts.dynamoJvmOptions });
      cleanups.push(dynamo.stop);
      dynamoEndpoint = dynamo.endpoint;
    }
    const tableName = opts.tableName ?? 'fonella-local';
    await ensureTable(dynamoEndpoint, tableName);
    // The stack's own reads and seeding (the hub, the demo users), not a function's: they may wait as
    // long as a slow machine keeps DynamoDB Local busy.
    const endpointOfTable = dynamoEndpoint;
    const toolingTable = () => tableRef({ tableName, endpoint: endpointOfTable, requestTimeoutMs: TOOLING_REQUEST_TIMEOUT_MS });

    const running: RunningEmulator[] = [];
    for (const { definition, portOffset } of set.all) {
      const emu = await startEmulator(definition, { port: base === 0 ? 0 : base + portOffset, onExchange: (e) => trace.providerAnswered(e.trace, e) });
      cleanups.push(emu.close);
      running.push(emu);
    }
    // The handlers read their configuration from the environment, as on Lambda.
    const env: Record<string, string> = {
      ...Object.fromEntries(Object.entries(opts.env ?? {}).filter(([k]) => process.env[k] === undefined)),
      STAGE: process.env.STAGE === 'test' ? 'test' : 'local',
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      AWS_REGION: process.env.AWS_REGION ?? 'eu-central-1',
    };
    for (const emu of running) Object.assign(env, emu.definition.env(emu.baseUrl));
    // Provider secrets reach the handlers as on Lambda: not in their environment but as keys of the
    // stage secret, read at cold start through the extension (here its emulator). One process runs
    // every handler, so SECRET_KEYS names every key the stack has.
    const secret: Record<string, string> = {};
    for (const key of PROVIDER_SECRET_KEYS) {
      if (env[key] === undefined) continue;
      secret[key] = env[key];
      delete env[key];
    }
    set.secrets.put(LOCAL_SECRET_NAME, secret);
    Object.assign(env, { PROVIDER_SECRET_NAME: LOCAL_SECRET_NAME, SECRET_KEYS: Object.keys(secret).join(',') });
    Object.assign(process.env, env);

    trace.providers(Object.fromEntries(running.map((e) => [new URL(e.baseUrl).origin, e.name])), [dynamoEndpoint]);
    const streams = await startStreamTailer({ endpoint: dynamoEndpoint, tableName, workers, root: REPO_ROOT, load: opts.loadWorker, retryBaseMs: opts.streamRetryBaseMs, trace });
    cleanups.push(streams.stop);
    streams.onRecord((record) => trace.recordRead(record));
    const sqs = running.find((e) => e.name === 'sqs')!;
    const queues = await startQueuePoller({ endpoint: sqs.baseUrl, queueUrls: { 'webhook-deliveries': sqs.definition.env(sqs.baseUrl).WEBHOOK_QUEUE_URL! }, workers: queueWorkers, root: REPO_ROOT });
    cleanups.push(queues.stop);
    // The webhook deliveries as the stream shows them, newest first, for the hub.
    const deliveryLog = webhookDeliveryLog(streams);
    cleanups.push(async () => deliveryLog.stop());
    const deletions = teardownsRepository(toolingTable());
    const teardowns = async () =>
      (await deletions.latest()).map((r) => {
        const next = r.steps.find((step) => !r.done[step]);
        const done = r.steps.filter((step) => r.done[step]).length;
        return { id: r.userId, description: next ? `${next} next (${done} of ${r.steps.length} done)` : `all ${done} steps done`, ...r };
      });
    const pool = poolAssignments(toolingTable());
    const poolWaiting = async () => (await pool.waiting({ limit: 100 })).map((w) => ({ id: w.userId, description: `waiting since ${w.since}`, ...w }));
    const hub = await startHub(running, { port: base, streams, teardowns, poolWaiting, timeline: () => trace.timeline(), webhookDeliveries: async () => deliveryLog.latest(), docs: { get apiUrl() { return api.url; }, get tokens() { return tokens; }, get apiKey() { return apiKeys?.customer; } } });
    cleanups.push(hub.close);

    const auth0Url = running.find((e) => e.name === 'auth0')!.baseUrl;
    const corsOrigins = (process.env.CORS_ORIGINS ?? 'http://localhost:5173,http://localhost:3001').split(',');
    const api = await startApiServer({
      routes,
      root: REPO_ROOT,
      port: opts.apiPort ?? 3000,
      corsOrigins,
      afterInvoke: () => streams.kick(),
      trace,
      jwt: { issuer: set.auth0.issuer(), audience: env.AUTH0_AUDIENCE!, jwksUrl: `${auth0Url}/.well-known/jwks.json` },
    });
    cleanups.push(api.close);
    // Stripe's events go to the API's webhook route, signed, as `stripe listen --forward-to` sends them;
    // on stop the emulator stops delivering before the API closes.
    const stripe = running.find((e) => e.name === 'stripe')?.definition as StripeEmulator | undefined;
    stripe?.forwardTo(`${api.url}/v1/webhooks/stripe`);
    cleanups.push(async () => stripe?.forwardTo(undefined));
    // Let the Vapi assistants' server URL point at this API.
    process.env.VAPI_SERVER_URL = `${api.url}/v1/webhooks/vapi`;
    // And the hotlines' jambonz applications' hooks, and the test callback's.
    process.env.HOTLINE_HOOK_BASE_URL = api.url;
    (running.find((e) => e.name === 'jambonz')?.definition as JambonzEmulator | undefined)?.callbackHooksAt(api.url);

    const users = usersRepository(toolingTable());
    const tokens = {} as LocalStack['tokens'];
    const now = new Date().toISOString();
    for (const [role, u] of Object.entries(DEMO_USERS) as [keyof typeof DEMO_USERS, DemoUser][]) {
      set.auth0.addUser({ user_id: u.sub, email: u.email, name: u.name });
      await users.createSettingsIfMissing({
        userId: u.sub,
        email: u.email,
        // Auth0 has verified the demo users' addresses (the emulator's users are verified).
        emailVerified: true,
        name: u.name,
        timezone: 'Europe/Berlin',
        locale: 'de',
        role: 'owner',
        createdAt: now,
        updatedAt: now,
      });
      tokens[role] = await set.auth0.mintToken({ ...u, emailVerified: true, expiresInSeconds: 7 * 86400 });
    }

    await partnersRepository(toolingTable()).create({
      ...DEMO_PARTNER,
      name: DEMO_USERS.partner.name,
      email: DEMO_USERS.partner.email,
      commissionPercent: 20,
      // Invited, not linked: activating is the demo partner's first step (`POST /v1/partner/activate`).
      status: 'invited',
      inviteTokenHash: hashInviteToken(DEMO_PARTNER_INVITE),
      inviteExpiresAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
      // No email for the seeded invite: the invite worker leaves a sent one alone.
      inviteMailId: 'seeded-by-the-local-stack',
      inviteSentAt: now,
      invitedBy: DEMO_USERS.admin.sub,
      createdAt: now,
      updatedAt: now,
    });

    // The phone-number pool: the numbers the Sipgate emulator routes to the trunk, imported as free
    // pool numbers by the admin import's own use case (idempotent), so an assistant can get one. Loaded
    // here, not on top: its logger must be made after ./lambda has set the Lambda environment, or no
    // handler would log its cold start.
    const { importPoolNumbers } = await import('../../shared/domain/pool-numbers');
    const sipgate = running.find((e) => e.name === 'sipgate')!;
    const sipgateEnv = sipgate.definition.env(sipgate.baseUrl);
    await importPoolNumbers({
      telephony: sipgateAdapter({ baseUrl: sipgate.baseUrl, tokenId: sipgateEnv.SIPGATE_TOKEN_ID!, token: sipgateEnv.SIPGATE_TOKEN! }),
      pool: poolRepository(toolingTable()),
      trunkDeviceId: sipgateEnv.SIPGATE_TRUNK_DEVICE_ID!,
    });

    // The demo customer's API key, made by the route's own use case (a token of its own at each start).
    const { createApiKey } = await import('../../shared/domain/api-keys');
    const { apiKeysRepository } = await import('../../shared/db/api-keys');
    const demoKey = await createApiKey(
      { keys: apiKeysRepository(toolingTable()) },
      { id: DEMO_USERS.customer.sub, emailVerified: true, permissions: [], isAdmin: false },
      { name: 'Demo integration' },
    );
    const apiKeys = { customer: demoKey.token };

    // The hotline demo: an organisation with its SIP account and a hotline, provisioned before the stack is handed out.
    if (opts.hotlineDemo) {
      const { seedDemoHotline } = await import('./seed-hotlines');
      await seedDemoHotline(toolingTable(), running, { admin: DEMO_USERS.customer.sub, member: DEMO_USERS.partner.sub });
      await streams.idle();
    }

    // The demo customer's Stripe customer on a test clock, time to pass on the hub's button.
    let demoClockId: string | undefined;
    if (opts.billingClock) {
      const { seedDemoBillingClock } = await import('./seed-billing');
      ({ clockId: demoClockId } = await seedDemoBillingClock(running, DEMO_USERS.customer));
    }

    return {
      apiUrl: api.url,
      hubUrl: hub.url,
      dynamoEndpoint,
      tableName,
      table: toolingTable(),
      emulators: Object.fromEntries(running.map((e) => [e.name, e.baseUrl])),
      credentials: Object.fromEntries(running.map((e) => [e.name, e.definition.credentials])),
      tokens,
      apiKeys,
      running,
      streams,
      trace,
      queues,
      demoClockId,
      motion: () => sumMotion([api.motion(), streams.motion(), queues.motion(), ...running.flatMap((e) => e.definition.motion?.() ?? [])]),
      mintToken: (input) => set.auth0.mintToken(input),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Fails with what to do when one of the ports is taken (0 means any free port: nothing to check). */
async function ensurePortsFree(ports: { port: number; what: string; moveWith: string }[]): Promise<void> {
  for (const p of ports.filter((x) => x.port !== 0)) {
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(p.port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (!free) {
      throw new Error(
        `port ${p.port} (${p.what}) is already in use: is a local stack already running? ` +
          `Stop it, or move this one with ${p.moveWith}=<port> (e.g. PORT=3100 EMULATOR_PORT=4100 npm start).`,
      );
    }
  }
}
