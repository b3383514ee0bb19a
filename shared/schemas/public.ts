// Schemas of the public routes the marketing site calls.
import * as z from '../zod';
import { CALLBACK_LOCALES } from '../config/callback';
import { Plan } from '../config/plans';
import { RECAPTCHA_ACTIONS } from '../model/recaptcha-actions';
import { TICKET_PRIORITIES } from '../model/tickets';
import { TICKET_NUMBER_PATTERN } from '../model/ticket-number';
import { Email, isoDateTime, line, paragraph } from './common';

/** `deep=1` (or `true`) also checks that the table answers; `0`, `false` or none: the cheap check. */
export const HealthQuery = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  deep: z.optional(
    z.enum(['1', 'true', '0', 'false']).register(z.globalRegistry, {
      description: '`1` or `true`: also check that the table answers (one read, bounded by a short timeout).',
    }),
  ),
}));

export const HealthResponse = /* @__PURE__ */ z.defineReply(() => z
  .object({
    status: z.literal('ok'),
    service: z.string(),
    stage: z.string(),
    timestamp: isoDateTime,
    /** Only with `deep`: each dependency checked, all `ok` (a failed one answers 503 instead). */
    checks: z.optional(z.object({ table: z.literal('ok') })),
  })
  .register(z.globalRegistry, { id: 'Health' }));

export const PlansResponse = /* @__PURE__ */ z.defineReply(() => z.object({ plans: z.array(Plan) }).register(z.globalRegistry, { id: 'Plans' }));

/** The longest reCAPTCHA token taken. Google documents none; its v3 tokens run to about 2,000 characters. */
export const RECAPTCHA_TOKEN_MAX = 4096;

/**
 * A reCAPTCHA v3 token from `grecaptcha.execute(siteKey, { action })`: printable ASCII, bounded. It is
 * verified with Google, once (a token is good for one check, for two minutes), and never stored.
 */
const recaptchaToken = (action: string) =>
  z.string().check(z.minLength(1), z.maxLength(RECAPTCHA_TOKEN_MAX), z.regex(/^[\x21-\x7e]+$/)).register(z.globalRegistry, {
    description: `reCAPTCHA v3 token, minted with the action \`${action}\`. Required on deployed stages; the local stack lets a missing one through.`,
  });

export const ContactRequest = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    name: line(200),
    email: Email,
    company: z.optional(line(200)),
    message: paragraph(5000),
    recaptchaToken: z.optional(recaptchaToken(RECAPTCHA_ACTIONS.submitContact)),
  })
  .register(z.globalRegistry, { id: 'ContactRequest' }));

export const ContactAccepted = /* @__PURE__ */ z.defineReply(() => z
  .object({ requestId: z.string(), status: z.literal('received') })
  .register(z.globalRegistry, { id: 'ContactAccepted' }));


export const SupportTicketRequest = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    /** Where the confirmation goes, and the support team's reply-to. */
    email: Email,
    title: line(200),
    content: paragraph(10000),
    ticketPriority: z.enum(TICKET_PRIORITIES),
    recaptchaToken: z.optional(recaptchaToken(RECAPTCHA_ACTIONS.submitSupportTicket)),
  })
  .register(z.globalRegistry, { id: 'SupportTicketRequest' }));

export const SupportTicketCreated = /* @__PURE__ */ z.defineReply(() => z
  .object({
    ticketNumber: z.string().check(z.regex(TICKET_NUMBER_PATTERN)).register(z.globalRegistry, {
      description: 'The ticket\'s number, for the sender and the support team: `FON-` and six characters (no 0, O, 1, I, L or U).',
      examples: ['FON-7K3M2Q'],
    }),
    status: z.literal('received'),
  })
  .register(z.globalRegistry, { id: 'SupportTicketCreated' }));

export const CallbackRequest = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    phoneNumber: z.string().check(
      z.minLength(1),
      z.maxLength(64),
      z.regex(/^\+?[0-9][0-9 ()./-]*$/, 'Must be a phone number: digits, with an optional leading + and spaces, dots, dashes, slashes or brackets.'),
    ).register(z.globalRegistry, { description: 'The number to call: E.164 (e.g. `+491701234567`), or a German number without `+`.', examples: ['+491701234567', '030 23125 0010', '+905321234567', '+302101234567'] }),
    locale: z._default(z.enum(CALLBACK_LOCALES), 'de').register(z.globalRegistry, {
      description: 'Marketing UI locale: picks the callback assistant and the outbound caller ID.',
    }),
    company: z.optional(line(200)),
    preferredWindow: z.optional(line(100)),
    notes: z.optional(paragraph(1000)),
    recaptchaToken: z.optional(recaptchaToken(RECAPTCHA_ACTIONS.submitCallbackRequest)),
  })
  .register(z.globalRegistry, { id: 'CallbackRequest' }));

export const CallbackAccepted = /* @__PURE__ */ z.defineReply(() => z
  .object({
    requestId: z.string(),
    status: z.enum(['placed']).register(z.globalRegistry, { description: '`placed`: the provider took the call and is ringing the number.' }),
  })
  .register(z.globalRegistry, { id: 'CallbackAccepted' }));
