// jambonz emulator: the /v1 paths Fonella calls (calls, phone numbers, applications, VoIP carriers, SIP
// gateways) for one account and its bearer API key, with request bodies checked against seed 002's schemas
// and the checks jambonz-api-server makes beyond them (lib/routes/api/accounts.js `validateCreateCall`,
// phone-numbers.js `validateAdd`, voip-carriers.js `validateRegistrationFields`).
// Besides the kit's underscore endpoints: `POST /_feature-servers { "available": n }` sets how many
// feature servers are free (1 after a reset); with none, creating a call answers 480 as jambonz does.
// `POST /_simulate/inbound { to, from?, answeredBy?, durationSeconds?, hold? }` is an inbound call to a
// number of ours: the emulator posts to its application's call hook as a feature server does (JSON,
// signed with the account's webhook secret in `Jambonz-Signature`), runs the verbs it gets (`say` is
// noted, `dial` rings its target: `answeredBy` answers, else the first phone dialled; the dial's
// confirmHook and actionHook are called, and the actionHook's verbs replace the rest, `hangup` ends the
// call; `sip:decline`, as the first verb of an unanswered call, rejects it with its status: the caller's
// leg is posted `failed` with that `sip_status` and `sip_reason`, as jambonz's TaskSipDecline does), and
// posts the call status events of both legs to the status hook. Answers what happened, step by step.
// With `hold: true` a call whose dial is answered stays in progress there (agent bridged, the agent's
// leg `in-progress`) and the answer comes at once; `POST /_simulate/hangup { callSid, durationSeconds? }`
// ends it: the agent's leg completes, the dial's actionHook runs and its verbs are followed, the
// caller's leg completes. `calls` in `/_inspect` holds the simulated calls too: `in_progress` while one
// is up, then `call_status`, `sip_status` and `ended` (`declined`, `hangup`, `no-more-verbs`,
// `call-hook-failed`).
// With `answerCalls` (the local stack), a created call is then run as a feature server runs a REST
// call (runOutbound): the callee answers, the status hook hears `ringing` and `in-progress`, the call
// hook (the application's, or the call's own) is posted with the call's tag as `customerData`, its
// verbs are followed (`say` noted; a `dial` is answered and its target, caller ID and headers kept on
// the call as `dialed`, its leg's status events and its actionHook, relative to the call hook as
// jambonz resolves it, posted; `hangup` ends it), and `completed` with the call's duration ends it.
// The call's row shows each step (`call_status`, `dialed`, `duration`, `trace`).
import { randomUUID } from 'node:crypto';
import { isIPv4 } from 'node:net';
import * as z from 'zod';
import { CALLBACK_LOCAL } from '../../../../shared/config/callback';
import { jambonzWebhookConfig } from '../../../../shared/config/webhooks';
import { JAMBONZ_LOCAL } from '../../../../shared/providers/jambonz/config';
import { signJambonzBody } from '../../../../shared/providers/jambonz/signature';
import { Router, bearer, json, motionCounter, type EmulatorDefinition, type RouteContext } from '../kit';

type Row = Record<string, unknown>;
type Kind = 'calls' | 'phoneNumbers' | 'applications' | 'carriers' | 'sipGateways' | 'webhooks';

export interface JambonzEmulator extends EmulatorDefinition {
  /** Live state, newest last (what /_inspect lists). */
  state: Record<Kind, Row[]>;
  /** Points the seeded callback application's hooks at the API on `baseUrl` (default http://127.0.0.1:3000). */
  callbackHooksAt(baseUrl: string): void;
}

/** How long an answered created call lasts (the `duration` of its `completed` event). */
export const OUTBOUND_CALL_SECONDS = 42;

// --- Request bodies, as seed 002 declares them -------------------------------------------------
const uuid = z.uuid();
const webhookSchema = z.strictObject({
  webhook_sid: uuid.optional(),
  url: z.url(),
  // The seed's enum is lower case, its own examples send "POST": jambonz takes either.
  method: z.string().regex(/^(get|post)$/i, 'method must be get or post').optional(),
  username: z.string().optional(),
  password: z.string().optional(),
});
// The call body goes on to a feature server, which ignores what it does not know: loose, not strict.
// `from`, `to` and which of application_sid / speech settings / call_hook are present are checked in the
// route, in validateCreateCall's order and words.
const speechText = z.string().optional();
const callSchema = z.looseObject({
  from: z.string().optional(),
  to: z.unknown(),
  application_sid: uuid.optional(),
  call_hook: webhookSchema.optional(),
  call_status_hook: webhookSchema.optional(),
  speech_synthesis_vendor: speechText,
  speech_synthesis_language: speechText,
  speech_synthesis_voice: speechText,
  speech_recognizer_vendor: speechText,
  speech_recognizer_language: speechText,
  fromHost: z.string().optional(),
  timeout: z.int().optional(),
  tag: z.record(z.string(), z.unknown()).optional(),
});
const SPEECH = ['speech_synthesis_vendor', 'speech_synthesis_language', 'speech_synthesis_voice', 'speech_recognizer_vendor', 'speech_recognizer_language'] as const;
/** validateTo: a phone or teams target needs a number, a user a name, a sip target a sipUri. */
function validTarget(to: unknown): boolean {
  if (typeof to !== 'object' || to === null) return false;
  const t = to as Row;
  if (t.type === 'phone' || t.type === 'teams') return typeof t.number === 'string';
  if (t.type === 'user') return typeof t.name === 'string';
  if (t.type === 'sip') return typeof t.sipUri === 'string';
  return false;
}
// Resources are inserted column for column, so an unknown field is an error (jambonz: a 500 from MySQL).
const phoneNumberSchema = z.strictObject({
  account_sid: uuid.optional(),
  application_sid: uuid.optional(),
  number: z.string(),
  voip_carrier_sid: uuid,
});
const applicationSchema = z.strictObject({
  name: z.string().min(1),
  account_sid: uuid,
  call_hook: webhookSchema,
  call_status_hook: webhookSchema,
  messaging_hook: webhookSchema.optional(),
  speech_synthesis_vendor: z.string().optional(),
  speech_synthesis_voice: z.string().optional(),
  speech_recognizer_vendor: z.string().optional(),
  speech_recognizer_language: z.string().optional(),
});
const carrierSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  account_sid: uuid.optional(),
  application_sid: uuid.optional(),
  e164_leading_plus: z.boolean().optional(),
  requires_register: z.boolean().optional(),
  register_username: z.string().optional(),
  // null: register with the gateway's address as realm.
  register_sip_realm: z.string().nullable().optional(),
  register_password: z.string().optional(),
  register_from_user: z.string().optional(),
  register_from_domain: z.string().nullable().optional(),
  register_public_ip_in_contact: z.boolean().optional(),
  tech_prefix: z.string().optional(),
  inbound_auth_username: z.string().optional(),
  inbound_auth_password: z.string().optional(),
  diversion: z.string().optional(),
});
const sipGatewaySchema = z.strictObject({
  voip_carrier_sid: uuid,
  ipv4: z.string().min(1),
  port: z.number().optional(),
  netmask: z.number().optional(),
  is_active: z.boolean().optional(),
  inbound: z.boolean().optional(),
  outbound: z.boolean().optional(),
});

const simulateSchema = z.strictObject({
  to: z.string().min(2).max(32),
  from: z.string().min(2).max(32).default('+4930901820'),
  answeredBy: z.string().min(2).max(32).optional(),
  durationSeconds: z.int().min(0).max(86_400).default(75),
  hold: z.boolean().default(false),
});
const hangupSchema = z.strictObject({ callSid: z.string().min(1), durationSeconds: z.int().min(0).max(86_400).optional() });

/** What a simulation answers: the HTTP status and body. */
interface Simulated {
  status: number;
  body: Row;
}
/** How a held call ends: hung up (after `durationSeconds`), or dropped by a reset (nothing more is posted). */
type HangUp = { drop: boolean; durationSeconds?: number };
/** A simulated call held in progress: `end` hangs it up; `finished` is what the call answers once over. */
interface HeldCall {
  end: (how: HangUp) => void;
  finished: Promise<Simulated>;
}

const msg = (text: string, status: number) => json({ msg: text }, status);
const notFound = () => new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain' } });

/** voip-carriers.js isValidSipRealm: unset, or a domain with a dot or an IPv4 address, without "sip:" or spaces. */
const validSipRealm = (realm: string | null | undefined) =>
  !realm || (realm === realm.trim() && !/^sips?:/i.test(realm) && !/\s/.test(realm) && (realm.includes('.') || /^(\d{1,3}\.){3}\d{1,3}$/.test(realm)));

/** voip-carriers.js validateRegistrationFields on a new carrier: the 400 message, or undefined. */
function registrationProblem(b: z.output<typeof carrierSchema>): string | undefined {
  const blank = (v: string | undefined) => !v || v.trim() === '';
  if (b.requires_register) {
    if (blank(b.register_username)) return 'register_username is required when requires_register is true';
    if (/\s/.test(b.register_username!)) return 'register_username must not contain whitespace';
    if (blank(b.register_password)) return 'register_password is required when requires_register is true';
  }
  if (b.register_username && /\s/.test(b.register_username)) return 'register_username must not contain whitespace';
  if (b.register_sip_realm !== undefined && b.register_sip_realm !== null) {
    if (b.register_sip_realm === '') return 'register_sip_realm must not be empty string; use null to fall back to gateway IP';
    if (!validSipRealm(b.register_sip_realm)) return 'register_sip_realm must be a valid domain or IP address (no sip: prefix, no spaces)';
  }
  if (b.register_from_domain && !validSipRealm(b.register_from_domain)) {
    return 'register_from_domain must be a valid domain or IP address (no sip: prefix, no spaces)';
  }
  return undefined;
}

/** jambonz's wording where it has one ("missing field name"), zod's otherwise. */
function problem(e: z.ZodError, body: unknown): string {
  const issue = e.issues[0]!;
  const path = issue.path.map(String);
  const value = path.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Row)[k] : undefined), body);
  if (issue.code === 'invalid_type' && value === undefined) return `missing field ${path.join('.')}`;
  return path.length ? `${path.join('.')}: ${issue.message}` : issue.message;
}

export function createJambonzEmulator(
  opts: {
    apiKey?: string;
    accountSid?: string;
    /** The account's webhook secret, which signs every request to our hooks. */
    webhookSecret?: string;
    /** Seed the test callback's application (the local stack does; a bare emulator starts empty). */
    seedCallback?: boolean;
    /** Run each created call through its hooks (the local stack does; a bare emulator only keeps it). */
    answerCalls?: boolean;
  } = {},
): JambonzEmulator {
  const apiKey = opts.apiKey ?? JAMBONZ_LOCAL.apiKey;
  const accountSid = opts.accountSid ?? JAMBONZ_LOCAL.accountSid;
  const webhookSecret = opts.webhookSecret ?? jambonzWebhookConfig.parse({ STAGE: 'local' }).secret;
  const state: Record<Kind, Row[]> = { calls: [], phoneNumbers: [], applications: [], carriers: [], sipGateways: [], webhooks: [] };
  /** Feature servers free to take a call (jambonz keeps them in a redis set). */
  let featureServers = 1;
  /** Where the seeded callback application's hooks point: the API (callbackHooksAt). */
  let callbackHookBase = 'http://127.0.0.1:3000';
  /** Bumped by a reset: a created call still running from before it stops there. */
  let generation = 0;
  // The marketing site's test callback application (shared/config/callback.ts CALLBACK_LOCAL).
  const seed = () => {
    if (!opts.seedCallback) return;
    state.applications.push({
      application_sid: CALLBACK_LOCAL.jambonzApplicationSid,
      account_sid: accountSid,
      name: 'Fonella callback',
      call_hook: { url: `${callbackHookBase}/v1/webhooks/jambonz/callback/call`, method: 'POST' },
      call_status_hook: { url: `${callbackHookBase}/v1/webhooks/jambonz/callback/status`, method: 'POST' },
      speech_synthesis_vendor: 'google',
      speech_synthesis_voice: 'de-DE-Standard-A',
      speech_recognizer_vendor: 'google',
      speech_recognizer_language: 'de-DE',
    });
  };
  seed();
  const find = (kind: Kind, key: string, sid: unknown) => state[kind].find((r) => r[key] === sid);

  /** Parses the JSON body against `schema`; a Response is the 400 to send instead. */
  async function read<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S> | Response> {
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      return msg('invalid JSON body', 400);
    }
    const parsed = schema.safeParse(body);
    return parsed.success ? parsed.data : msg(problem(parsed.error, body), 400);
  }
  // An account-level key acts on its own account only.
  const foreign = (sid: unknown) => sid !== undefined && sid !== accountSid;

  /** DELETE /{collection}/{sid}: 404 when unknown, 422 when `inUse` names a reason. */
  const remove =
    (kind: Kind, key: string, inUse: (sid: string) => string | undefined = () => undefined) =>
    ({ params }: RouteContext) => {
      const i = state[kind].findIndex((r) => r[key] === params.sid);
      if (i < 0) return notFound();
      const reason = inUse(params.sid!);
      if (reason) return msg(reason, 422);
      state[kind].splice(i, 1);
      return new Response(null, { status: 204 });
    };

  /** Posts `payload` to a hook as a feature server does (JSON, signed); its JSON answer, or why there is none. */
  async function deliver(kind: string, url: string, payload: Row): Promise<{ status?: number; body?: unknown; error?: string }> {
    const body = JSON.stringify(payload);
    const delivery: Row = { kind, url, callSid: payload.call_sid, callStatus: payload.call_status, at: new Date().toISOString() };
    state.webhooks.push(delivery);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'jambonz-signature': signJambonzBody(body, webhookSecret) },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      delivery.status = res.status;
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    } catch (err) {
      delivery.error = err instanceof Error ? err.message : String(err);
      return { error: String(delivery.error) };
    }
  }

  /** Calls held in progress (`hold: true`), by call sid, until /_simulate/hangup. */
  const held = new Map<string, HeldCall>();

  /** What a feature server does with an inbound call to one of the account's numbers. */
  async function simulateInbound(input: z.output<typeof simulateSchema>): Promise<Response> {
    const number = input.to.replace(/^\+/, '');
    const phone = find('phoneNumbers', 'number', number);
    if (!phone) return json({ message: `no phone number ${input.to} on the account` }, 404);
    const app = find('applications', 'application_sid', phone.application_sid) ?? find('applications', 'application_sid', find('carriers', 'voip_carrier_sid', phone.voip_carrier_sid)?.application_sid);
    const callHook = (app?.call_hook as Row | undefined)?.url;
    const statusHook = (app?.call_status_hook as Row | undefined)?.url;
    if (typeof callHook !== 'string' || typeof statusHook !== 'string') return json({ message: `number ${input.to} has no application with hooks` }, 409);
    const callSid = randomUUID();
    const base: Row = {
      call_sid: callSid,
      call_id: `${randomUUID()}@192.0.2.1`,
      account_sid: accountSid,
      application_sid: app!.application_sid,
      direction: 'inbound',
      from: input.from,
      to: `+${number}`,
      caller_name: input.from,
      sip_status: 100,
      call_status: 'trying',
      trace_id: randomUUID().replace(/-/g, ''),
    };
    const trace: string[] = [];
    // The call as /_inspect shows it, updated as it goes.
    const row: Row = { ...base, in_progress: true, answered_by: null, trace };
    state.calls.push(row);
    let nowHeld!: () => void;
    const holding = new Promise<'held'>((resolve) => (nowHeld = () => resolve('held')));
    const finished: Promise<Simulated> = runInbound(input, { base, row, trace, callHook, statusHook }, (end) => {
      held.set(callSid, { end, finished });
      nowHeld();
    });
    // A held call answers once it is bridged; any other once it is over.
    const first = await Promise.race([holding, finished]);
    if (first === 'held') {
      return json({ callSid, answeredBy: row.answered_by, callStatus: 'in-progress', trace: [...trace] });
    }
    return json(first.body, first.status);
  }

  /** Runs an inbound call's verbs to its end; `hold` is called when a held call is bridged and waits for its hangup. */
  async function runInbound(
    input: z.output<typeof simulateSchema>,
    call: { base: Row; row: Row; trace: string[]; callHook: string; statusHook: string },
    hold: (end: HeldCall['end']) => void,
  ): Promise<Simulated> {
    const { base, row, trace, statusHook } = call;
    const callSid = String(base.call_sid);
    const answeredBy = input.answeredBy?.replace(/^(\+|00)/, '');
    let answered: string | undefined;
    let dialled = 0;
    let durationSeconds = input.durationSeconds;
    const end = (fields: Row, status = 200): Simulated => {
      Object.assign(row, { in_progress: false, answered_by: answered ?? null, ...fields });
      const declined = row.ended === 'declined' ? { sipStatus: row.sip_status, sipReason: row.sip_reason } : {};
      return { status, body: { callSid, answeredBy: answered ?? null, callStatus: row.call_status, ...declined, trace } };
    };

    const first = await deliver('call_hook', call.callHook, base);
    if (!Array.isArray(first.body)) {
      trace.push(`call hook answered ${first.status ?? first.error}`);
      return end({ call_status: 'failed', ended: 'call-hook-failed' }, 502);
    }
    // jambonz answers the call with the first verb that needs it; until then it can be declined.
    let callAnswered = false;
    const answer = async () => {
      if (callAnswered) return;
      callAnswered = true;
      Object.assign(row, { call_status: 'in-progress', sip_status: 200 });
      await deliver('call_status_hook', statusHook, { ...base, call_status: 'in-progress', sip_status: 200 });
    };
    let queue = first.body as Row[];
    let ended = 'no-more-verbs';
    for (let steps = 0; steps < 50 && queue.length > 0; steps++) {
      const verb = queue.shift()!;
      if (verb.verb === 'sip:decline') {
        const status = Number(verb.status);
        const reason = typeof verb.reason === 'string' ? verb.reason : undefined;
        if (callAnswered) {
          trace.push('sip:decline: ignored, the call is answered');
          continue;
        }
        if (!Number.isInteger(status) || status < 400 || status > 699) {
          trace.push(`sip:decline: invalid status ${String(verb.status)}`);
          continue;
        }
        trace.push(`sip:decline ${status}${reason ? ` ${reason}` : ''}`);
        await deliver('call_status_hook', statusHook, { ...base, call_status: 'failed', sip_status: status, ...(reason ? { sip_reason: reason } : {}) });
        return end({ call_status: 'failed', sip_status: status, ...(reason ? { sip_reason: reason } : {}), ended: 'declined' });
      }
      await answer();
      if (verb.verb === 'say') trace.push(`say: ${String(verb.text)}`);
      else if (verb.verb === 'hangup') {
        trace.push('hangup');
        ended = 'hangup';
        break;
      } else if (verb.verb === 'dial') {
        const target = ((verb.target as Row[] | undefined) ?? [])[0];
        const to = String(target?.number ?? '');
        const child: Row = { ...base, call_sid: randomUUID(), parent_call_sid: callSid, direction: 'outbound', from: verb.callerId ?? input.from, to };
        dialled++;
        await deliver('call_status_hook', statusHook, { ...child, call_status: 'ringing', sip_status: 180 });
        const answers = answered === undefined && (answeredBy === undefined ? dialled === 1 : to.replace(/^\+/, '') === answeredBy);
        let dialStatus = 'no-answer';
        if (answers) {
          answered = to;
          row.answered_by = to;
          trace.push(`dial ${to}: answered`);
          if (typeof verb.confirmHook === 'string') {
            const confirm = await deliver('confirmHook', verb.confirmHook, { ...child, call_status: 'in-progress', sip_status: 200 });
            for (const v of Array.isArray(confirm.body) ? (confirm.body as Row[]) : []) if (v.verb === 'say') trace.push(`say to ${to}: ${String(v.text)}`);
          }
          await deliver('call_status_hook', statusHook, { ...child, call_status: 'in-progress', sip_status: 200 });
          if (input.hold) {
            // Bridged: the call stays up until /_simulate/hangup (or a reset drops it).
            const hungUp = await new Promise<HangUp>((resolve) => hold(resolve));
            held.delete(callSid);
            if (hungUp.drop) return end({ call_status: 'completed', ended: 'dropped' });
            durationSeconds = hungUp.durationSeconds ?? durationSeconds;
            trace.push(`hung up after ${durationSeconds} s`);
          }
          await deliver('call_status_hook', statusHook, { ...child, call_status: 'completed', sip_status: 200, duration: durationSeconds });
          dialStatus = 'completed';
        } else {
          trace.push(`dial ${to}: no answer after ${String(verb.timeout ?? 60)} s`);
          await deliver('call_status_hook', statusHook, { ...child, call_status: 'no-answer', sip_status: 487 });
        }
        if (typeof verb.actionHook === 'string') {
          const action = await deliver('actionHook', verb.actionHook, { ...base, call_status: 'in-progress', dial_call_status: dialStatus, dial_call_sid: child.call_sid, dial_sip_status: dialStatus === 'completed' ? 200 : 487 });
          if (Array.isArray(action.body)) queue = action.body as Row[];
        }
      } else trace.push(`${String(verb.verb)}: not emulated`);
    }
    await answer();
    await deliver('call_status_hook', statusHook, { ...base, call_status: 'completed', sip_status: 200, duration: durationSeconds });
    return end({ call_status: 'completed', sip_status: 200, duration: durationSeconds, ended });
  }

  /** POST /_simulate/hangup: ends a held call; answers how it ended, step by step. */
  async function simulateHangup(input: z.output<typeof hangupSchema>): Promise<Response> {
    const call = held.get(input.callSid);
    if (!call) return json({ message: `no call ${input.callSid} held in progress` }, 404);
    call.end({ drop: false, durationSeconds: input.durationSeconds });
    const done = await call.finished;
    return json(done.body, done.status);
  }

  /** The created calls scheduled or running (runOutbound): the emulator's motion. */
  const outbound = motionCounter();
  /** What a feature server does with a created call once the callee answers (with `answerCalls`). */
  async function runOutbound(call: Row): Promise<void> {
    const started = generation;
    const current = () => generation === started;
    const callHook = (call.call_hook as Row | undefined)?.url;
    const statusHook = (call.call_status_hook as Row | undefined)?.url;
    if (typeof callHook !== 'string') return;
    const to = call.to as Row;
    const base: Row = {
      call_sid: call.call_sid,
      call_id: `${randomUUID()}@192.0.2.1`,
      account_sid: accountSid,
      ...(call.application_sid ? { application_sid: call.application_sid } : {}),
      direction: 'outbound',
      from: call.from,
      to: to.number ?? to.sipUri ?? to.name,
      caller_name: call.from,
      trace_id: randomUUID().replace(/-/g, ''),
      // jambonz hands the call's tag to every hook as customerData.
      ...(call.tag ? { customerData: call.tag } : {}),
    };
    const trace: string[] = [];
    call.trace = trace;
    const status = async (payload: Row) => {
      if (typeof statusHook === 'string' && current()) await deliver('call_status_hook', statusHook, payload);
    };
    const step = async (callStatus: string, sipStatus: number, extra: Row = {}) => {
      if (!current()) return;
      Object.assign(call, { call_status: callStatus, ...extra });
      await status({ ...base, call_status: callStatus, sip_status: sipStatus, ...extra });
    };

    await step('ringing', 180);
    await step('in-progress', 200, { answered_at: new Date().toISOString() });
    if (!current()) return;
    const first = await deliver('call_hook', callHook, { ...base, call_status: 'in-progress', sip_status: 200 });
    let queue = Array.isArray(first.body) ? (first.body as Row[]) : [];
    if (!Array.isArray(first.body)) trace.push(`call hook answered ${first.status ?? first.error}`);
    const dialed: Row[] = [];
    for (let steps = 0; steps < 50 && queue.length > 0 && current(); steps++) {
      const verb = queue.shift()!;
      if (verb.verb === 'say') trace.push(`say: ${String(verb.text)}`);
      else if (verb.verb === 'hangup') {
        trace.push('hangup');
        break;
      } else if (verb.verb === 'dial') {
        const target = ((verb.target as Row[] | undefined) ?? [])[0] ?? {};
        const where = String(target.sipUri ?? target.number ?? target.name ?? '');
        // The leg is answered (a sip target: the far end picks up) and ends with the call.
        const child: Row = { ...base, call_sid: randomUUID(), parent_call_sid: base.call_sid, from: verb.callerId ?? base.from, to: where };
        dialed.push({ ...target, callerId: verb.callerId ?? null, headers: verb.headers ?? {}, timeLimit: verb.timeLimit ?? null, status: 'answered' });
        call.dialed = dialed;
        trace.push(`dial ${where}: answered`);
        await status({ ...child, call_status: 'ringing', sip_status: 180 });
        await status({ ...child, call_status: 'in-progress', sip_status: 200 });
        await status({ ...child, call_status: 'completed', sip_status: 200, duration: OUTBOUND_CALL_SECONDS });
        if (typeof verb.actionHook === 'string' && current()) {
          const action = await deliver('actionHook', new URL(verb.actionHook, callHook).href, { ...base, call_status: 'in-progress', sip_status: 200, dial_call_status: 'completed', dial_call_sid: child.call_sid, dial_sip_status: 200 });
          if (Array.isArray(action.body)) queue = action.body as Row[];
        }
      } else trace.push(`${String(verb.verb)}: not emulated`);
    }
    await step('completed', 200, { duration: OUTBOUND_CALL_SECONDS });
  }

  const routes = new Router()
    // accounts.js POST /:sid/Calls: a free feature server first, then the path's sid (validateSid), the
    // key's account (validateRequest: 403), then validateCreateCall (400s).
    .post('/v1/Accounts/:accountSid/Calls', async ({ req, params }) => {
      if (featureServers < 1) return msg('no available feature servers at this time', 480);
      if (!uuid.safeParse(params.accountSid).success) return msg('Bad request', 400);
      if (foreign(params.accountSid)) return msg('insufficient permissions', 403);
      const b = await read(req, callSchema);
      if (b instanceof Response) return b;
      if (!b.from) return msg('missing from parameter', 400);
      if (!validTarget(b.to)) return msg(`missing or invalid to property: ${JSON.stringify(b.to)}`, 400);
      const call: Row = { ...b };
      if (b.application_sid) {
        const app = find('applications', 'application_sid', b.application_sid);
        if (!app) return msg(`application_sid not found ${b.application_sid}`, 400);
        // The application's hooks and speech settings replace the call's.
        for (const key of ['call_hook', 'call_status_hook', ...SPEECH]) {
          if (app[key] === undefined || app[key] === null) delete call[key];
          else call[key] = app[key];
        }
      } else {
        delete call.application_sid;
        if (SPEECH.some((key) => !b[key])) {
          return msg(`either application_sid or set of ${SPEECH.join(', ')} required`, 400);
        }
        if (!b.call_hook) return msg('either call_hook or application_sid required', 400);
      }
      const sid = randomUUID();
      const created: Row = { ...call, call_sid: sid, account_sid: accountSid, direction: 'outbound', call_status: 'queued', created_at: new Date().toISOString() };
      state.calls.push(created);
      // The answer goes out first; the callee answers after it, as on jambonz.
      if (opts.answerCalls) {
        const end = outbound.begin();
        setTimeout(() => void runOutbound(created).catch((err: unknown) => console.error('jambonz emulator: created call', err)).finally(end), 10);
      }
      return json({ sid }, 201);
    })

    .get('/v1/PhoneNumbers', () => json(state.phoneNumbers))
    // phone-numbers.js validateAdd: whitespace in the number, then the carrier, are 400s.
    .post('/v1/PhoneNumbers', async ({ req }) => {
      const b = await read(req, phoneNumberSchema);
      if (b instanceof Response) return b;
      if (foreign(b.account_sid)) return msg('insufficient privileges', 403);
      if (/\s/.test(b.number)) return msg('number cannot contain whitespace', 400);
      // jambonz keeps numbers as digits, without the "+".
      const number = b.number.replace(/^\+/, '');
      if (!/^\d+$/.test(number)) return msg('invalid telephone number format', 400);
      const carrier = find('carriers', 'voip_carrier_sid', b.voip_carrier_sid);
      if (!carrier) return msg(`voip_carrier not found for sid ${b.voip_carrier_sid}`, 400);
      if (carrier.account_sid && foreign(carrier.account_sid)) return msg('voip_carrier_sid does not belong to the account', 400);
      if (b.application_sid && !find('applications', 'application_sid', b.application_sid)) return msg('application not found', 400);
      if (find('phoneNumbers', 'number', number)) return msg('the phone number provided already exists in inventory', 422);
      const sid = randomUUID();
      state.phoneNumbers.push({ phone_number_sid: sid, number, voip_carrier_sid: b.voip_carrier_sid, account_sid: accountSid, application_sid: b.application_sid ?? null });
      return json({ sid }, 201);
    })
    .delete('/v1/PhoneNumbers/:sid', remove('phoneNumbers', 'phone_number_sid'))

    .get('/v1/Applications', () => json(state.applications))
    .post('/v1/Applications', async ({ req }) => {
      const b = await read(req, applicationSchema);
      if (b instanceof Response) return b;
      if (foreign(b.account_sid)) return msg('insufficient privileges', 403);
      if (find('applications', 'name', b.name)) return msg(`Duplicate entry '${b.name}' for key 'applications_idx_name'`, 422);
      const sid = randomUUID();
      const hook = (h: z.output<typeof webhookSchema> | undefined) => (h ? { webhook_sid: randomUUID(), method: 'POST', ...h } : null);
      state.applications.push({
        ...b,
        application_sid: sid,
        call_hook: hook(b.call_hook),
        call_status_hook: hook(b.call_status_hook),
        messaging_hook: hook(b.messaging_hook),
      });
      return json({ sid }, 201);
    })
    .delete(
      '/v1/Applications/:sid',
      remove('applications', 'application_sid', (sid) =>
        find('phoneNumbers', 'application_sid', sid) ? 'cannot delete application with phone numbers' : undefined,
      ),
    )

    .get('/v1/VoipCarriers', () => json(state.carriers))
    .post('/v1/VoipCarriers', async ({ req }) => {
      const b = await read(req, carrierSchema);
      if (b instanceof Response) return b;
      if (foreign(b.account_sid)) return msg('insufficient privileges', 403);
      // voip-carriers.js validate: the application, then validateRegistrationFields.
      if (b.application_sid && !find('applications', 'application_sid', b.application_sid)) return msg('unknown application_sid', 400);
      const problem = registrationProblem(b);
      if (problem) return msg(problem, 400);
      const sid = randomUUID();
      state.carriers.push({ e164_leading_plus: false, requires_register: false, is_active: true, ...b, voip_carrier_sid: sid, account_sid: accountSid });
      return json({ sid }, 201);
    })
    .delete(
      '/v1/VoipCarriers/:sid',
      remove('carriers', 'voip_carrier_sid', (sid) => {
        if (find('phoneNumbers', 'voip_carrier_sid', sid)) return 'cannot delete voip carrier with active phone numbers';
        // Deleting a carrier takes its gateways with it.
        state.sipGateways = state.sipGateways.filter((g) => g.voip_carrier_sid !== sid);
        return undefined;
      }),
    )

    .get('/v1/SipGateways', ({ url }) => {
      const carrier = url.searchParams.get('voip_carrier_sid');
      if (!carrier) return msg('missing voip_carrier_sid', 400);
      return json(state.sipGateways.filter((g) => g.voip_carrier_sid === carrier));
    })
    .post('/v1/SipGateways', async ({ req }) => {
      const b = await read(req, sipGatewaySchema);
      if (b instanceof Response) return b;
      if (!find('carriers', 'voip_carrier_sid', b.voip_carrier_sid)) return msg('invalid voip_carrier_sid', 400);
      const inbound = b.inbound ?? true;
      if (inbound && !isIPv4(b.ipv4)) return msg('Inbound gateway must be IPv4 address', 400);
      const sid = randomUUID();
      state.sipGateways.push({ port: 5060, netmask: 32, is_active: true, outbound: true, ...b, inbound, sip_gateway_sid: sid });
      return json({ sid }, 201);
    })
    .delete('/v1/SipGateways/:sid', remove('sipGateways', 'sip_gateway_sid'))

    .post('/_simulate/inbound', async ({ req }) => {
      const parsed = simulateSchema.safeParse(await req.json().catch(() => undefined));
      if (!parsed.success) return json({ message: `body must be { to, from?, answeredBy?, durationSeconds?, hold? }: ${parsed.error.issues[0]?.message}` }, 400);
      return simulateInbound(parsed.data);
    })
    .post('/_simulate/hangup', async ({ req }) => {
      const parsed = hangupSchema.safeParse(await req.json().catch(() => undefined));
      if (!parsed.success) return json({ message: `body must be { callSid, durationSeconds? }: ${parsed.error.issues[0]?.message}` }, 400);
      return simulateHangup(parsed.data);
    })
    // The harness's switch for jambonz's feature-server pool (not a jambonz path).
    .get('/_feature-servers', () => json({ available: featureServers }))
    .post('/_feature-servers', async ({ req }) => {
      const parsed = z.strictObject({ available: z.int().min(0) }).safeParse(await req.json().catch(() => undefined));
      if (!parsed.success) return json({ message: 'body must be { "available": <integer ≥ 0> }' }, 400);
      featureServers = parsed.data.available;
      return json({ available: featureServers });
    });

  return {
    name: 'jambonz',
    credentials: { apiKey, accountSid, webhookSecret },
    env: (baseUrl) => ({ JAMBONZ_BASE_URL: `${baseUrl}/v1`, JAMBONZ_API_KEY: apiKey, JAMBONZ_ACCOUNT_SID: accountSid, JAMBONZ_WEBHOOK_SECRET: webhookSecret }),
    routes,
    state,
    callbackHooksAt: (baseUrl) => {
      callbackHookBase = baseUrl.replace(/\/+$/, '');
      const app = find('applications', 'application_sid', CALLBACK_LOCAL.jambonzApplicationSid);
      if (!opts.seedCallback || !app) return;
      app.call_hook = { url: `${callbackHookBase}/v1/webhooks/jambonz/callback/call`, method: 'POST' };
      app.call_status_hook = { url: `${callbackHookBase}/v1/webhooks/jambonz/callback/status`, method: 'POST' };
    },
    // passport-http-bearer's answer to a missing or unknown key.
    authorize: (req, url) =>
      url.pathname.startsWith('/_') || bearer(req) === apiKey ? undefined : new Response('Unauthorized', { status: 401, headers: { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="Users"' } }),
    faultResponse: () => msg('system error (injected fault)', 500),
    inspect: () => ({ ...state }),
    // The created calls it runs as a feature server would (with `answerCalls`).
    motion: outbound.motion,
    reset: () => {
      // Held calls end without another webhook: the state they would write to is gone.
      for (const call of held.values()) call.end({ drop: true });
      held.clear();
      generation++;
      for (const list of Object.values(state)) list.length = 0;
      featureServers = 1;
      seed();
    },
  };
}
