// Providers calling us: each route verifies its provider's signature or secret before reading the body.
// Entries follow the rules in ./index.ts.
import type { RouteDef } from '../../shared/http/route-def';
import { WebhookReceived } from '../../shared/schemas/billing';
import { JambonzCallbackPayload } from '../../shared/schemas/callback-calls';
import { VapiServerMessage } from '../../shared/schemas/calls';
import { VapiAnswer } from '../../shared/schemas/tools';
import { JambonzAck, JambonzVerbs } from '../../shared/schemas/hotlines';

export const receiveStripeEvent = {
  name: 'receiveStripeEvent',
  method: 'POST',
  path: '/v1/webhooks/stripe',
  handler: 'functions/webhooks/receive-stripe-event.ts',
  access: 'stripe',
  summary: 'Stripe webhook',
  description:
    "Stripe's events about subscriptions, invoices and subscription schedules keep the caller's subscription in step. The `Stripe-Signature` header is checked against the exact body (five minutes' tolerance). Each event is applied once, and never over a newer state (events arrive late, twice or out of order). A failed payment marks the subscription past due and emails the customer once per invoice. Events of other types, or for customers Fonella does not know, are acknowledged and ignored.",
  tags: ['webhooks'],
  request: { raw: true, maxBodyBytes: 524_288 },
  response: { status: 200, body: WebhookReceived, description: 'Received: applied, a duplicate, older than the state stored, or ignored.' },
  errors: [
    {
      status: 400,
      slugs: ['webhook-signature'],
      description: '`webhook-signature`: no `Stripe-Signature`, or one that does not match the body with the endpoint secret, or older than five minutes; nothing was stored.',
    },
  ],
  uses: { table: 'write', providers: ['stripe'] },
} satisfies RouteDef;

export const receiveVapiMessage = {
  name: 'receiveVapiMessage',
  method: 'POST',
  path: '/v1/webhooks/vapi',
  handler: 'functions/webhooks/receive-vapi-message.ts',
  access: 'vapi',
  summary: 'Vapi webhook (the assistants\' server URL)',
  description:
    "Vapi's server messages; the `X-Vapi-Secret` header must be the one the assistants are created with. An `end-of-call-report` is stored as the call of the assistant's owner, once (a report delivered again writes nothing); a stream worker then emails the owner the summary with a link to the call. A `tool-calls` message (the assistant's custom tools called during a live call) is forwarded, every tool call at once, to each tool's URL, signed with the tool's secret and within its timeout, and answered with one result per tool call: the tool's answer, or an error the model can speak about (an unknown tool, a timeout, another status, an unreachable URL); each tool call is recorded on the call. Every other message type is acknowledged without work; a report that names no call id or no assistant, or an assistant Fonella does not know, is acknowledged (200), logged with what it lacks, and nothing is stored: Vapi would only deliver it again.",
  tags: ['webhooks'],
  request: { body: VapiServerMessage, maxBodyBytes: 1_048_576 },
  response: { status: 200, body: VapiAnswer, description: 'Received; for `tool-calls`, the results.' },
  uses: { table: 'write', signingKey: 'decrypt' },
  // Tool calls wait on customers' URLs: the longest tool timeout (TOOL_TIMEOUT_LIMITS in
  // shared/config/tools.ts, 20 s) and room for our own work.
  timeoutSeconds: 30,
} satisfies RouteDef;

export const answerCallbackCall = {
  name: 'answerCallbackCall',
  method: 'POST',
  path: '/v1/webhooks/jambonz/callback/call',
  handler: 'functions/webhooks/answer-callback-call.ts',
  access: 'jambonz',
  summary: "jambonz call hook of the test callback's application",
  description:
    "jambonz asks what to do once the callee of a test callback (`CALLBACK_PROVIDER=jambonz`) answered: the call's tag (`customerData.requestId`) names the callback request, and the answer is a `dial` to the Vapi SIP URI of the request's locale's callback assistant, its template variables (the form's text, marked as caller-provided and quoted, and the locale) in `X-<name>` SIP headers. As the dial's action hook: `hangup`, after a short message when the assistant could not be reached. A tag that names no open jambonz callback request of ours (unknown, another call's, failed or finished) gets a short message and `hangup`, never an error. Signed by jambonz (`Jambonz-Signature`).",
  tags: ['webhooks'],
  request: { body: JambonzCallbackPayload, maxBodyBytes: 262_144 },
  response: { status: 200, body: JambonzVerbs, description: 'The verbs jambonz runs next.' },
  uses: { table: 'read', providers: ['jambonz'] },
} satisfies RouteDef;

export const receiveCallbackCallStatus = {
  name: 'receiveCallbackCallStatus',
  method: 'POST',
  path: '/v1/webhooks/jambonz/callback/status',
  handler: 'functions/webhooks/receive-callback-call-status.ts',
  access: 'jambonz',
  summary: "jambonz call status hook of the test callback's application",
  description:
    "Call status events of a test callback's call: the callee's leg `ringing`, `in-progress` and its outcome (`completed` with its `duration`, `no-answer`, `busy`, `failed`) are recorded on the callback request the tag names (`callStatus`, `callDurationSeconds`), only forward: a repeated or late event never moves an outcome back. The assistant's leg, other statuses and tags that name no jambonz callback request of ours are acknowledged and store nothing. Signed by jambonz (`Jambonz-Signature`).",
  tags: ['webhooks'],
  request: { body: JambonzCallbackPayload, maxBodyBytes: 262_144 },
  response: { status: 200, body: JambonzAck, description: 'Received.' },
  uses: { table: 'write' },
} satisfies RouteDef;
