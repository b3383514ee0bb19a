// Schemas of the caller's own phone lines (POST / DELETE /v1/me/integrations, and their part of
// GET /v1/me). The request is a union on `mode`. The seed's clients send one flat body with every
// field of both modes (a generated client fills the unused ones with their zero values), so a mode
// takes the other mode's fields too: bounded, never used; a field neither mode knows is refused. The
// SIP password is accepted, passed to Vapi (external mode only) and never answered. The gateway's
// form is checked here; whether it is on the public internet, by the use case (it resolves names).
import { net } from '../net/node-net';
import * as z from '../zod';
import { isoDateTime, line } from './common';

// A DNS name with at least two labels (a public SIP gateway), each 1-63 letters, digits or hyphens.
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

const Gateway = /* @__PURE__ */ z.defineSchema(() => z
  .string()
  .check(
    z.maxLength(253),
    z.regex(/^[0-9A-Za-z.:-]+$/, 'Must be a host name or an IPv4 or IPv6 address.'),
    z.refine((s) => HOST_NAME.test(s) || net.isIPv4(s) || net.isIPv6(s), { message: 'Must be a host name or an IPv4 or IPv6 address.' }),
  )
  .register(z.globalRegistry, {
    description:
      'The SIP gateway calls reach the assistant from: a host name or an IPv4 or IPv6 address on the public internet (private, loopback, link-local, shared, multicast, documentation and reserved addresses, internal and single-label names, and names resolving to any of those are refused: 400 `gateway-not-public`).',
    examples: ['sip.example.com'],
  }));

const e164 = () => z.string().check(z.maxLength(16), z.regex(/^\+[1-9][0-9]{6,14}$/, 'Must be a phone number in E.164 format (+4930...).'));

/** A field of the other mode, as a flat body carries it: bounded, never used (zero values such as `""` and `0` pass). */
const unused = <T extends z.ZodMiniType>(schema: T, meta: { writeOnly?: boolean } = {}) => {
  z.globalRegistry.add(schema, { description: 'A field of the other `mode`: accepted and ignored.', ...meta });
  return z.optional(schema);
};

const SipgateLine = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  mode: z.literal('sipgate'),
  phoneNumber: z.string().check(z.minLength(3), z.maxLength(32), z.regex(/^[+0-9 ()/-]+$/, 'Must be a phone number.')).register(z.globalRegistry, {
    description: "A number of Fonella's Sipgate account that is not in use (E.164, or German without +).",
    examples: ['+4921155501010'],
  }),
  alias: z.optional(line(50).register(z.globalRegistry, { description: "The device's name at Sipgate; default `Fonella <number>`." })),
  gateway: unused(z.string().check(z.maxLength(253))),
  port: unused(z.int().check(z.minimum(0), z.maximum(65_535))),
  inboundEnabled: unused(z.boolean()),
  authUsername: unused(z.string().check(z.maxLength(128))),
  authPassword: unused(z.string().check(z.maxLength(128)), { writeOnly: true }),
}).register(z.globalRegistry, { id: 'SipgateLineRequest', description: "A number of Fonella's Sipgate account on a SIP device of its own." }));

const ExternalLine = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  mode: z.literal('external'),
  gateway: Gateway,
  port: z._default(z.int().check(z.minimum(1), z.maximum(65_535)), 5060),
  inboundEnabled: z._default(z.boolean(), true),
  authUsername: line(128).register(z.globalRegistry, { description: 'The SIP user Vapi authenticates as on the trunk.' }),
  authPassword: z
    .string()
    .check(z.minLength(1), z.maxLength(128), z.regex(/^[\x20-\x7e]+$/, 'Must be printable ASCII.'))
    .register(z.globalRegistry, { description: 'The SIP password: passed to Vapi, never stored or answered.', writeOnly: true }),
  phoneNumber: e164().register(z.globalRegistry, { description: 'The number the trunk delivers to the assistant, E.164.', examples: ['+4930123456789'] }),
  alias: unused(z.string().check(z.maxLength(50))),
}).register(z.globalRegistry, { id: 'ExternalLineRequest', description: "The customer's own SIP trunk." }));

// Without a valid `mode` the union stops at it; the fields no mode knows are still named.
const KNOWN_FIELDS = /* @__PURE__ */ z.defineSchema(() => new Set([...Object.keys(SipgateLine.def.shape), ...Object.keys(ExternalLine.def.shape)]));

export const IntegrationRequest = /* @__PURE__ */ z.defineSchema(() => z
  .discriminatedUnion('mode', [SipgateLine, ExternalLine])
  .check(
    z.superRefine(
      (v, ctx) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
        const unknown = Object.keys(v).filter((k) => !KNOWN_FIELDS.has(k));
        if (unknown.length) ctx.addIssue({ code: 'unrecognized_keys', keys: unknown, input: v });
      },
      { when: (p) => p.issues.some((i) => i.code === 'invalid_union' && i.path?.length === 1 && i.path[0] === 'mode') },
    ),
  )
  .register(z.globalRegistry, {
    id: 'IntegrationRequest',
    description: "`sipgate`: a number of Fonella's Sipgate account on a SIP device of its own. `external`: the customer's own SIP trunk.",
  }));

export const Integration = /* @__PURE__ */ z.defineReply(() => z
  .object({
    kind: z.enum(['pool', 'sipgate', 'external']),
    number: z.string(),
    state: z.enum(['creating', 'connecting', 'active', 'failed']),
    createdAt: isoDateTime,
  })
  .register(z.globalRegistry, {
    id: 'Integration',
    description:
      'A line ringing the assistant: `pool` (a Fonella number of the plan), `sipgate` or `external`. `creating`: being set up; `connecting`: a pool number being bound; `active`: calls reach the assistant; `failed`: a failed setup left provider resources, `DELETE /v1/me/integrations` removes them.',
  }));

const flag = (description: string) => z.optional(z.enum(['1', 'true']).register(z.globalRegistry, { description }));

export const RemoveIntegrationsQuery = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    externalOnly: flag('Remove only the external trunk (`1` or `true`).'),
    fonellaSipgateOnly: flag('Remove only the Sipgate line (`1` or `true`).'),
  })
  .register(z.globalRegistry, { id: 'RemoveIntegrationsQuery' }));
