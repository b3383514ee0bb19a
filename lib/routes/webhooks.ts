// Providers calling us: each route verifies its provider's signature or secret before reading the body.
// Entries follow the rules in ./index.ts.
import type { RouteDef } from '../../shared/http/route-def';
import { WebhookReceived } from '../../shared/schemas/billing';
import { VapiAck, VapiServerMessage } from '../../shared/schemas/calls';

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
    "Vapi's server messages; the `X-Vapi-Secret` header must be the one the assistants are created with. An `end-of-call-report` is stored as the call of the assistant's owner, once (a report delivered again writes nothing); a stream worker then emails the owner the summary with a link to the call. Every other message type is acknowledged without work; a report that names no call id or no assistant, or an assistant Fonella does not know, is acknowledged (200), logged with what it lacks, and nothing is stored: Vapi would only deliver it again.",
  tags: ['webhooks'],
  request: { body: VapiServerMessage, maxBodyBytes: 1_048_576 },
  response: { status: 200, body: VapiAck, description: 'Received.' },
  uses: { table: 'write' },
} satisfies RouteDef;
