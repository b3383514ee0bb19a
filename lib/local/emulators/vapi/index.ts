// Vapi emulator: /assistant, /phone-number, /credential (BYO SIP trunk) and /call, JSON with a bearer
// private key, answered in Vapi's shapes and NestJS-style error bodies. State lives in memory.
// A test hook (no API key) plays what Vapi does on its own once an inbound call has ended:
//   POST /_simulate/end-of-call  { assistantId, customerNumber?, durationSeconds?, summary? }
//        builds the assistant's end-of-call-report (end-of-call.ts; with the number that rings the
//        assistant, if any), records the call (inboundPhoneCall, ended) and POSTs the report as JSON to
//        the assistant's server.url with its server.headers (X-Vapi-Secret) and server.timeoutSeconds
//        (default 20). Answers 200 { callId, delivered: { status } }, or { callId, delivered: { error } }
//        when the server could not be reached; 400 for a bad body, 404 for an unknown assistant, 409
//        for one without a server.url. Each delivery is listed under `webhooks` in /_inspect. A
//        `callId` (of an earlier simulated tool call, say) reports that call.
//   POST /_simulate/tool-call  { assistantId, calls: [{ name, arguments? }], callId?, customerNumber? }
//        what Vapi does when the model calls function tools during a call (tool-calls.ts): the call
//        (inboundPhoneCall, in-progress; the same one again for the same callId) and one `tool-calls`
//        message per server the tools name (the tool's server, else the assistant's), all at once,
//        each waiting the server's timeoutSeconds. Answers 200 { callId, results, deliveries }: every
//        tool call's result or error as our webhook answered it (an error where no answer came), and
//        per message its status (or why it failed) and the answer's body. Each delivery is listed
//        under `webhooks` with what came back, and /_inspect lists each call with its `toolCalls`. `arguments` left out: an example built from the
//        tool's parameters. A name the assistant has no tool of goes to the assistant's server URL.
// Assistants take `model.tools` as Vapi validates them: function tools with a name of letters,
// digits, `_` and `-` (at most 64), parameters of type object, an optional server.
import { randomInt, randomUUID } from 'node:crypto';
import * as z from 'zod';
import { ASSISTANT_LOCAL } from '../../../../shared/config/assistant';
import { CALLBACK_LOCAL, CALLBACK_LOCALES } from '../../../../shared/config/callback';
import { webhookConfig } from '../../../../shared/config/webhooks';
import { Router, bearer, json, type EmulatorDefinition, type RouteContext } from '../kit';
import { endOfCallReport } from './end-of-call';
import { toolCallsMessages } from './tool-calls';

type Resource = { id: string; orgId: string; createdAt: string; updatedAt: string } & Record<string, unknown>;

export interface VapiEmulator extends EmulatorDefinition {
  /** Live state by id, in creation order (what /_inspect lists, unmasked). */
  state: Record<'assistants' | 'phoneNumbers' | 'credentials' | 'calls', Map<string, Resource>>;
  /** The end-of-call reports sent to assistants' server URLs, oldest first. */
  webhooks: WebhookDelivery[];
}

/** One POST of a server message to an assistant's (or a tool's) server URL: its HTTP status, or why it failed. */
export interface WebhookDelivery {
  callId: string;
  assistantId: string;
  url: string;
  type: 'end-of-call-report' | 'tool-calls';
  status?: number;
  error?: string;
  /** tool-calls: the calls the message carried, and the answer's body (JSON when it was). */
  toolCallIds?: string[];
  response?: unknown;
  at: string;
}

const E164 = /^\+[1-9]\d{1,14}$/;
const must = (msg: string) => ({ error: msg });

const serverSchema = z.looseObject({
  url: z.url(must('server.url must be a URL address')).optional(),
  headers: z.record(z.string(), z.unknown(), must('server.headers must be an object')).optional(),
  timeoutSeconds: z.number(must('server.timeoutSeconds must be a number')).min(1).max(300).optional(),
});

const functionToolSchema = z.looseObject({
  type: z.literal('function', must('model.tools.type must be one of the following values: function (the emulator knows function tools only)')),
  async: z.boolean(must('model.tools.async must be a boolean value')).optional(),
  function: z.looseObject({
    name: z.string(must('model.tools.function.name must be a string')).regex(/^[a-zA-Z0-9_-]{1,64}$/, 'model.tools.function.name must be a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64'),
    description: z.string(must('model.tools.function.description must be a string')).optional(),
    parameters: z
      .looseObject({
        type: z.literal('object', must('model.tools.function.parameters.type must be one of the following values: object')),
        properties: z.record(z.string(), z.unknown(), must('model.tools.function.parameters.properties must be an object')),
        required: z.array(z.string()).optional(),
      })
      .optional(),
  }),
  server: serverSchema.optional(),
  messages: z.array(z.looseObject({ type: z.enum(['request-start', 'request-complete', 'request-failed', 'request-response-delayed']) }), must('model.tools.messages must be an array')).optional(),
});

const assistantSchema = z.looseObject({
  // Vapi's DTO caps the name at 40 characters.
  name: z.string(must('name must be a string')).max(40, 'name must be shorter than or equal to 40 characters').optional(),
  firstMessage: z.string(must('firstMessage must be a string')).optional(),
  model: z
    .looseObject({
      provider: z.string(must('model.provider must be a string')),
      model: z.string(must('model.model must be a string')),
      tools: z.array(functionToolSchema, must('model.tools must be an array')).optional(),
    })
    .optional(),
  voice: z.looseObject({ provider: z.string(must('voice.provider must be a string')) }).optional(),
  transcriber: z.looseObject({ provider: z.string(must('transcriber.provider must be a string')) }).optional(),
  serverMessages: z.array(z.string(), must('serverMessages must be an array')).optional(),
  metadata: z.record(z.string(), z.unknown(), must('metadata must be an object')).optional(),
  server: serverSchema.optional(),
});

const PROVIDERS = ['byo-phone-number', 'vapi'] as const;
const providerSchema = z.enum(PROVIDERS, must(`provider must be one of the following values: ${PROVIDERS.join(', ')}`));
const phoneFields = {
  name: z.string(must('name must be a string')).max(40, 'name must be shorter than or equal to 40 characters').optional(),
  assistantId: z.string(must('assistantId must be a string')).optional(),
  server: serverSchema.optional(),
};
const phoneCreateSchema = z.discriminatedUnion(
  'provider',
  [
    z.looseObject({
      provider: z.literal('byo-phone-number'),
      credentialId: z.string(must('credentialId must be a string')),
      number: z.string(must('number must be a string')).optional(),
      numberE164CheckEnabled: z.boolean(must('numberE164CheckEnabled must be a boolean value')).default(true),
      ...phoneFields,
    }),
    z.looseObject({
      provider: z.literal('vapi'),
      numberDesiredAreaCode: z.string().regex(/^\d{3}$/, 'numberDesiredAreaCode must be 3 digits').optional(),
      ...phoneFields,
    }),
  ],
  must(`provider must be one of the following values: ${PROVIDERS.join(', ')}`),
);
const phoneUpdateSchema = z.looseObject({
  provider: providerSchema,
  ...phoneFields,
  number: z.string(must('number must be a string')).optional(),
  credentialId: z.string(must('credentialId must be a string')).optional(),
});

const credentialSchema = z.looseObject({
  provider: z.literal('byo-sip-trunk', must('provider must be one of the following values: byo-sip-trunk')),
  name: z.string().max(40, 'name must be shorter than or equal to 40 characters').optional(),
  gateways: z
    .array(
      z.looseObject({
        ip: z.string(must('gateways.ip must be a string')).min(1, 'gateways.ip should not be empty'),
        port: z.number().int().min(1).max(65535, 'gateways.port must not be greater than 65535').optional(),
        inboundEnabled: z.boolean(must('gateways.inboundEnabled must be a boolean value')).optional(),
        outboundEnabled: z.boolean().optional(),
      }),
      must('gateways must be an array'),
    )
    .min(1, 'gateways must contain at least 1 elements'),
  outboundAuthenticationPlan: z
    .looseObject({ authUsername: z.string().optional(), authPassword: z.string().optional() })
    .optional(),
});

const simulateEndOfCallSchema = z.strictObject({
  assistantId: z.string().min(1),
  callId: z.string().min(1).max(200).optional(),
  customerNumber: z.string().regex(E164, 'customerNumber must be a valid phone number in the E.164 format').optional(),
  durationSeconds: z.number().positive().max(43200).optional(),
  summary: z.string().min(1).max(5000).optional(),
});
const DEFAULT_SERVER_TIMEOUT_SECONDS = 20;

const simulateToolCallSchema = z.strictObject({
  assistantId: z.string().min(1),
  calls: z.array(z.strictObject({ name: z.string().min(1).max(64), arguments: z.record(z.string(), z.unknown()).optional() })).min(1).max(10),
  callId: z.string().min(1).max(200).optional(),
  customerNumber: z.string().regex(E164, 'customerNumber must be a valid phone number in the E.164 format').optional(),
});

const callSchema = z.looseObject({
  assistantId: z.string(must("Couldn't Get Assistant. Need Either `assistant`, `assistantId`, `squad`, Or `squadId`.")),
  phoneNumberId: z.string(must('phoneNumberId must be a string')),
  customer: z.looseObject(
    { number: z.string(must('customer.number must be a string')).regex(E164, 'customer.number must be a valid phone number in the E.164 format') },
    must('customer must be an object'),
  ),
  assistantOverrides: z.looseObject({ variableValues: z.record(z.string(), z.unknown()).optional() }).optional(),
});

export function createVapiEmulator(
  opts: {
    apiKey?: string;
    webhookSecret?: string;
    /** Seed what the local config names: the test callback's assistants and numbers, the pool trunk's credential (the local stack does; a bare emulator starts empty). */
    seedLocal?: boolean;
  } = {},
): VapiEmulator {
  const apiKey = opts.apiKey ?? 'local-vapi-key';
  const webhookSecret = opts.webhookSecret ?? webhookConfig.parse({ STAGE: 'local' }).vapiSecret;
  const orgId = randomUUID();
  const assistants = new Map<string, Resource>();
  const phoneNumbers = new Map<string, Resource>();
  const credentials = new Map<string, Resource>();
  const calls = new Map<string, Resource>();
  const webhooks: WebhookDelivery[] = [];

  const stamp = (fields: Record<string, unknown>): Resource => {
    const now = new Date().toISOString();
    return { ...fields, id: randomUUID(), orgId, createdAt: now, updatedAt: now };
  };
  const touch = (r: Resource, fields: Record<string, unknown>): Resource =>
    Object.assign(r, fields, { id: r.id, orgId, createdAt: r.createdAt, updatedAt: new Date().toISOString() });
  // Vapi keeps the SIP password to itself once stored.
  const publicCredential = (c: Resource): Resource => {
    const plan = c.outboundAuthenticationPlan as Record<string, unknown> | undefined;
    if (!plan) return c;
    const { authPassword: _hidden, ...rest } = plan;
    return { ...c, outboundAuthenticationPlan: rest };
  };
  const unknownRef = (field: string, id: string, store: Map<string, Resource>) =>
    store.has(id) ? undefined : `${field} ${id} does not exist`;

  // The marketing site's test callback (shared/config/callback.ts CALLBACK_LOCAL): per locale an
  // assistant and a phone number with the locale's caller ID, under the ids the local config names.
  const seed = () => {
    if (!opts.seedLocal) return;
    // Fonella's Sipgate trunk as a BYO SIP trunk credential: every pool number is bound to it.
    credentials.set(ASSISTANT_LOCAL.poolCredentialId, {
      ...stamp({
        provider: 'byo-sip-trunk',
        name: 'Fonella Sipgate trunk',
        gateways: [{ ip: 'sipconnect.sipgate.de', inboundEnabled: true }],
        outboundAuthenticationPlan: { authUsername: '1234567e0', authPassword: 'trunk-secret' },
      }),
      id: ASSISTANT_LOCAL.poolCredentialId,
    });
    for (const locale of CALLBACK_LOCALES) {
      const assistantId = CALLBACK_LOCAL.assistantIds[locale];
      assistants.set(assistantId, { ...stamp({ name: `Fonella callback (${locale})`, metadata: { purpose: 'callback', locale } }), id: assistantId });
      const numberId = CALLBACK_LOCAL.vapiPhoneNumberIds[locale];
      phoneNumbers.set(numberId, {
        ...stamp({ provider: 'byo-phone-number', name: `Callback caller ID (${locale})`, number: CALLBACK_LOCAL.callerIds[locale], status: 'active' }),
        id: numberId,
      });
    }
  };
  seed();

  const routes = new Router();
  crud(routes, '/assistant', assistants, {
    create: async (req) => {
      const body = await parse(req, assistantSchema);
      return 'error' in body ? body.error : json(put(assistants, stamp(body.data)), 201);
    },
    update: async (req, current) => {
      const body = await parse(req, assistantSchema);
      return 'error' in body ? body.error : json(touch(current, body.data));
    },
  });

  crud(routes, '/phone-number', phoneNumbers, {
    create: async (req) => {
      const body = await parse(req, phoneCreateSchema);
      if ('error' in body) return body.error;
      const d = body.data;
      const problems = [
        d.assistantId && unknownRef('assistantId', d.assistantId, assistants),
        d.provider === 'byo-phone-number' && unknownRef('credentialId', d.credentialId, credentials),
        d.provider === 'byo-phone-number' && d.number !== undefined && badNumber(d.number, d.numberE164CheckEnabled),
      ].filter((p): p is string => typeof p === 'string');
      if (problems.length) return badRequest(problems);
      const number =
        d.provider === 'vapi' ? `+1${d.numberDesiredAreaCode ?? '415'}555${String(randomInt(10000)).padStart(4, '0')}` : d.number;
      return json(put(phoneNumbers, stamp({ ...d, number, status: 'active' })), 201);
    },
    update: async (req, current) => {
      const body = await parse(req, phoneUpdateSchema);
      if ('error' in body) return body.error;
      const d = body.data;
      const problems = [
        d.provider !== current.provider && `provider must match the phone number's provider (${String(current.provider)})`,
        d.assistantId && unknownRef('assistantId', d.assistantId, assistants),
        d.credentialId && unknownRef('credentialId', d.credentialId, credentials),
      ].filter((p): p is string => typeof p === 'string');
      return problems.length ? badRequest(problems) : json(touch(current, d));
    },
  });

  crud(
    routes,
    '/credential',
    credentials,
    {
      create: async (req) => {
        const body = await parse(req, credentialSchema);
        return 'error' in body ? body.error : json(publicCredential(put(credentials, stamp(body.data))), 201);
      },
    },
    publicCredential,
  );

  crud(routes, '/call', calls, {
    create: async (req) => {
      const body = await parse(req, callSchema);
      if ('error' in body) return body.error;
      const d = body.data;
      const problems = [
        unknownRef('assistantId', d.assistantId, assistants),
        unknownRef('phoneNumberId', d.phoneNumberId, phoneNumbers),
      ].filter((p): p is string => typeof p === 'string');
      if (problems.length) return badRequest(problems);
      return json(put(calls, stamp({ ...d, type: 'outboundPhoneCall', status: 'queued' })), 201);
    },
  });

  // What Vapi does once an inbound call has ended: report it to the assistant's server URL.
  routes.post('/_simulate/end-of-call', async ({ req }) => {
    const body = await parseHook(req, simulateEndOfCallSchema);
    if ('error' in body) return body.error;
    const d = body.data;
    const assistant = assistants.get(d.assistantId);
    if (!assistant) return json({ message: `Couldn't find assistant ${d.assistantId}.` }, 404);
    const server = (assistant.server ?? {}) as { url?: string; headers?: Record<string, unknown>; timeoutSeconds?: number };
    if (!server.url) return json({ message: `Assistant ${assistant.id} has no server.url: Vapi would send its reports nowhere.` }, 409);
    const phoneNumber = [...phoneNumbers.values()].find((p) => p.assistantId === assistant.id);
    const report = endOfCallReport({
      assistantId: assistant.id,
      callId: d.callId,
      orgId,
      customerNumber: d.customerNumber,
      durationSeconds: d.durationSeconds,
      summary: d.summary,
      assistant,
      phoneNumber,
    });
    const call = report.message.call as Resource;
    put(calls, call);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(server.headers ?? {})) if (v !== undefined && v !== null) headers[k] = String(v);
    const delivery: WebhookDelivery = { callId: call.id, assistantId: assistant.id, url: server.url, type: 'end-of-call-report', at: new Date().toISOString() };
    try {
      const res = await fetch(server.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(report),
        signal: AbortSignal.timeout((server.timeoutSeconds ?? DEFAULT_SERVER_TIMEOUT_SECONDS) * 1000),
      });
      await res.arrayBuffer().catch(() => undefined);
      delivery.status = res.status;
    } catch (err) {
      delivery.error = failureOf(err);
    }
    webhooks.push(delivery);
    return json({ callId: call.id, delivered: delivery.error === undefined ? { status: delivery.status } : { error: delivery.error } });
  });

  // What Vapi does when the model calls function tools during a call: ask their servers for results.
  routes.post('/_simulate/tool-call', async ({ req }) => {
    const body = await parseHook(req, simulateToolCallSchema);
    if ('error' in body) return body.error;
    const d = body.data;
    const assistant = assistants.get(d.assistantId);
    if (!assistant) return json({ message: `Couldn't find assistant ${d.assistantId}.` }, 404);
    const phoneNumber = [...phoneNumbers.values()].find((p) => p.assistantId === assistant.id);
    const existing = d.callId ? calls.get(d.callId) : undefined;
    const now = new Date().toISOString();
    const call: Resource = existing ?? {
      id: d.callId ?? randomUUID(),
      orgId,
      createdAt: now,
      updatedAt: now,
      type: 'inboundPhoneCall',
      status: 'in-progress',
      assistantId: assistant.id,
      ...(phoneNumber ? { phoneNumberId: phoneNumber.id } : {}),
      customer: { number: d.customerNumber ?? '+4917612345678' },
      startedAt: now,
    };
    const messages = toolCallsMessages({ assistant, call, phoneNumber, calls: d.calls });
    if ('nowhere' in messages) return json({ message: `Assistant ${assistant.id} has no server.url and no tool named ${messages.nowhere} with one: Vapi would send the tool call nowhere.` }, 409);
    put(calls, call);
    const deliveries = await Promise.all(
      messages.map(async (m) => {
        const delivery: WebhookDelivery = { callId: call.id, assistantId: assistant.id, url: m.target.url, type: 'tool-calls', toolCallIds: m.toolCallIds, at: new Date().toISOString() };
        try {
          const res = await fetch(m.target.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...m.target.headers },
            body: JSON.stringify(m.body),
            signal: AbortSignal.timeout(m.target.timeoutSeconds * 1000),
          });
          delivery.status = res.status;
          const text = await res.text();
          try {
            delivery.response = JSON.parse(text);
          } catch {
            delivery.response = text;
          }
        } catch (err) {
          delivery.error = failureOf(err);
        }
        webhooks.push(delivery);
        return delivery;
      }),
    );
    // Per tool call: what its server answered for it, or an error where nothing usable came back.
    const results = messages.flatMap((m, i) => {
      const delivery = deliveries[i]!;
      const answered = ((delivery.response as { results?: { toolCallId?: string }[] } | undefined)?.results ?? []).filter((r) => typeof r === 'object' && r !== null);
      const list = m.body.message.toolCallList as { id: string; function: { name: string } }[];
      return list.map(
        (tc) =>
          answered.find((r) => r.toolCallId === tc.id) ?? {
            toolCallId: tc.id,
            name: tc.function.name,
            error: delivery.error ? `No result: ${delivery.error}` : `No result for this tool call (HTTP ${delivery.status}).`,
          },
      );
    });
    return json({
      callId: call.id,
      results,
      deliveries: deliveries.map((dl) => ({ url: dl.url, toolCallIds: dl.toolCallIds, ...(dl.error ? { error: dl.error } : { status: dl.status, response: dl.response }) })),
    });
  });

  return {
    name: 'vapi',
    // The secret our assistants send back to our webhook in X-Vapi-Secret (what a script signs a simulated webhook with).
    credentials: { apiKey, webhookSecret },
    env: (baseUrl) => ({ VAPI_BASE_URL: baseUrl, VAPI_API_KEY: apiKey, VAPI_WEBHOOK_SECRET: webhookSecret }),
    routes,
    state: { assistants, phoneNumbers, credentials, calls },
    webhooks,
    authorize(req, url) {
      // The test hooks (/_simulate/...) are the harness, not Vapi's API.
      if (url.pathname.startsWith('/_')) return undefined;
      if (bearer(req) === apiKey) return undefined;
      return json(
        {
          message: 'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.',
          error: 'Unauthorized',
          statusCode: 401,
        },
        401,
      );
    },
    faultResponse: () => json({ message: 'Service Unavailable', error: 'Service Unavailable', statusCode: 503 }, 503),
    inspect: () => ({
      // Each assistant with the numbers that ring it, as Vapi's dashboard shows them side by side.
      assistants: [...assistants.values()].map((a) => ({
        ...a,
        attachedNumbers: [...phoneNumbers.values()].filter((p) => p.assistantId === a.id).map((p) => p.number),
      })),
      phoneNumbers: [...phoneNumbers.values()],
      credentials: [...credentials.values()].map(maskCredential),
      // Each call with the tool calls made during it, as our webhook answered them (what the hub shows per call).
      calls: [...calls.values()].map((c) => {
        const answered = webhooks.filter((w) => w.type === 'tool-calls' && w.callId === c.id);
        if (answered.length === 0) return c;
        const toolCalls = answered.flatMap((w) =>
          (w.toolCallIds ?? []).map((id) => {
            const r = ((w.response as { results?: Record<string, unknown>[] } | undefined)?.results ?? []).find((x) => x.toolCallId === id);
            return { toolCallId: id, at: w.at, ...(r ? { name: r.name, ...(r.error !== undefined ? { error: r.error } : { result: r.result }) } : { error: w.error ?? `HTTP ${w.status}` }) };
          }),
        );
        return { ...c, toolCalls };
      }),
      webhooks: [...webhooks],
    }),
    reset: () => {
      for (const m of [assistants, phoneNumbers, credentials, calls]) m.clear();
      webhooks.length = 0;
      seed();
    },
  };
}

/** GET list, GET/DELETE by id always; POST and PATCH where the resource supports them. */
function crud(
  routes: Router,
  base: string,
  store: Map<string, Resource>,
  handlers: {
    create: (req: Request) => Promise<Response>;
    update?: (req: Request, current: Resource) => Promise<Response>;
  },
  show: (r: Resource) => Resource = (r) => r,
) {
  const found = (ctx: RouteContext) => store.get(ctx.params.id!);
  routes.get(base, () => json([...store.values()].reverse().map(show)));
  routes.post(base, ({ req }) => handlers.create(req));
  routes.get(`${base}/:id`, (ctx) => {
    const r = found(ctx);
    return r ? json(show(r)) : notFound(base, ctx.params.id!);
  });
  routes.delete(`${base}/:id`, (ctx) => {
    const r = found(ctx);
    if (!r) return notFound(base, ctx.params.id!);
    store.delete(r.id);
    return json(show(r));
  });
  const update = handlers.update;
  if (update) {
    routes.patch(`${base}/:id`, (ctx) => {
      const r = found(ctx);
      return r ? update(ctx.req, r) : notFound(base, ctx.params.id!);
    });
  }
}

function put(store: Map<string, Resource>, r: Resource): Resource {
  store.set(r.id, r);
  return r;
}

function maskCredential(c: Resource): Resource {
  const plan = c.outboundAuthenticationPlan as Record<string, unknown> | undefined;
  if (!plan || plan.authPassword === undefined) return c;
  return { ...c, outboundAuthenticationPlan: { ...plan, authPassword: '********' } };
}

function badNumber(number: string, e164Check: boolean): string | undefined {
  if (e164Check) return E164.test(number) ? undefined : 'number must be a valid phone number in the E.164 format';
  return /^\+?[a-zA-Z0-9]+$/.test(number) ? undefined : 'number must contain only alphanumeric characters';
}

async function parse<S extends z.ZodType>(
  req: Request,
  schema: S,
): Promise<{ data: z.output<S> } | { error: Response }> {
  let input: unknown;
  try {
    input = JSON.parse((await req.text()) || '{}');
  } catch {
    return { error: badRequest(['body must be valid JSON']) };
  }
  const result = schema.safeParse(input);
  if (result.success) return { data: result.data };
  return { error: badRequest(result.error.issues.map((i) => i.message)) };
}

/** Why a POST to a server URL got no answer, as the hooks report it. */
function failureOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if ((err as { name?: string }).name === 'TimeoutError') return "timeout: no answer within the server's timeoutSeconds";
  return cause?.message ?? cause?.code ?? (err instanceof Error ? err.message : String(err));
}

/** A test hook's body: its problems in one message (400), as the hooks answer them. */
async function parseHook<S extends z.ZodType>(req: Request, schema: S): Promise<{ data: z.output<S> } | { error: Response }> {
  const body = await parse(req, schema);
  if (!('error' in body)) return body;
  const problems = ((await body.error.json()) as { message: string[] }).message;
  return { error: json({ message: `Invalid body: ${problems.join('; ')}` }, 400) };
}

function badRequest(message: string[]): Response {
  return json({ message, error: 'Bad Request', statusCode: 400 }, 400);
}

function notFound(base: string, id: string): Response {
  const kind = base.slice(1).replace('-', ' ');
  return json({ message: `Couldn't find ${kind} ${id}.`, error: 'Not Found', statusCode: 404 }, 404);
}
