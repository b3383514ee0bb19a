// Schemas of the first-responder hotline service: organisations, their members and invitations, agent phones,
// hotlines, call logs, billing records and the organisation's SIP account. Field names, enums, limits
// and pagination are the hotline API's (integer ids, `limit` 1..50 default 10, `offset` ≥ 0,
// `tts*` ≤ 300 characters, channels 1..100 default 10); the jambonz hooks take jambonz's payloads.
import * as z from '../zod';
import { isoDateTime, line } from './common';

/** The largest integer id we hand out or accept (ids come from counters, far below it). */
const MAX_ID = 2_147_483_647;

const IntId = (description: string) => z.int().check(z.minimum(1), z.maximum(MAX_ID)).register(z.globalRegistry, { description, examples: [1] });

/** An integer in a query string: digits only. */
const queryInt = (description: string, max: number) =>
  z
    .pipe(
      z.string().check(z.maxLength(String(max).length), z.regex(/^(0|[1-9][0-9]*)$/, 'Must be a whole number.')),
      z.transform((s: string) => Number(s)),
    )
    .check(z.refine((n: number) => n <= max, { message: `Must be at most ${max}.` }))
    .register(z.globalRegistry, { description });

const queryId = (description: string) =>
  queryInt(description, MAX_ID).check(z.refine((n: number) => n >= 1, { message: 'Must be at least 1.' }));

/** A path id: any short token; one that is not a whole number is simply not found (404). */
const pathId = (description: string) =>
  z.string().check(z.minLength(1), z.maxLength(20), z.regex(/^[A-Za-z0-9_-]+$/, 'Must be an id.')).register(z.globalRegistry, { description });

export const HOTLINE_PAGE = { min: 1, max: 50, fallback: 10 } as const;
export const TTS_MAX = 300;
export const CHANNELS = { min: 1, max: 100, fallback: 10 } as const;
/** How many agents one hotline may ring. */
export const AGENTS_MAX = 50;
export const ORGANIZATION_ROLES = ['admin', 'member'] as const;
export const MEMBERSHIP_STATUSES = ['invited', 'active'] as const;
export const HOTLINE_STATUSES = ['created', 'active', 'paused', 'failed', 'waiting-for-number'] as const;

const PageQuery = /* @__PURE__ */ z.defineSchema(() => ({
  limit: z
    ._default(
      z.pipe(
        z.string().check(z.maxLength(2), z.regex(/^([1-9]|[1-4][0-9]|50)$/, 'Must be an integer from 1 to 50.')),
        z.transform((s: string) => Number(s)),
      ),
      HOTLINE_PAGE.fallback,
    )
    .register(z.globalRegistry, { description: 'Entries per page, 1 to 50 (default 10).', examples: ['10'] }),
  offset: z._default(queryInt('Entries to skip (default 0).', 1_000_000), 0),
}));

// --- Organisations ------------------------------------------------------------------------------

export const NewOrganization = /* @__PURE__ */ z.defineSchema(() => z.strictObject({ name: line(200) }).register(z.globalRegistry, { id: 'NewOrganization' }));

export const Organization = /* @__PURE__ */ z.defineReply(() => z
  .object({ id: z.int(), name: z.string(), role: z.enum(ORGANIZATION_ROLES), createdAt: isoDateTime })
  .register(z.globalRegistry, { id: 'Organization', description: 'An organisation and the caller\'s role in it.' }));

export const OrganizationPath = /* @__PURE__ */ z.defineSchema(() => z.strictObject({ id: pathId('The organisation\'s integer id.') }));

export const NewMember = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    userId: z.string().check(z.minLength(3), z.maxLength(200), z.regex(/^[A-Za-z0-9|_.@:-]+$/, 'Must be an Auth0 user id.')).register(z.globalRegistry, {
      description: 'The Auth0 user id of the person to invite, e.g. `auth0|…`.',
      examples: ['auth0|member-1'],
    }),
    role: z._default(z.enum(ORGANIZATION_ROLES), 'member'),
  })
  .register(z.globalRegistry, { id: 'NewMember' }));

export const Member = /* @__PURE__ */ z.defineReply(() => z
  .object({ organizationID: z.int(), userID: z.int(), role: z.enum(ORGANIZATION_ROLES), status: z.enum(MEMBERSHIP_STATUSES) })
  .register(z.globalRegistry, {
    id: 'Member',
    description: 'A person of an organisation, by integer user id: `invited` until they accept the invitation, then `active`.',
  }));

/** An invitation is to one organisation: the path names it by the organisation's id. */
export const InvitationPath = /* @__PURE__ */ z.defineSchema(() => z.strictObject({ id: pathId('The integer id of the organisation the caller is invited to.') }));

/** One of the caller's organisations, with their consent for its admins. */
export const OrganizationMembership = /* @__PURE__ */ z.defineReply(() => z
  .object({
    organizationID: z.int(),
    name: z.string(),
    role: z.enum(ORGANIZATION_ROLES),
    allowAdmins: z.boolean().register(z.globalRegistry, {
      description: "The caller's consent that this organisation's admins act on the caller's resources (agent phones) and that its hotlines ring the caller's phones. Off until given.",
    }),
  })
  .register(z.globalRegistry, { id: 'OrganizationMembership', description: 'An organisation the caller is a member of (an accepted invitation).' }));

export const OrganizationAccess = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    allow: z.boolean().register(z.globalRegistry, {
      description: "Whether the organisation's admins may act on the caller's resources (agent phones), and its hotlines ring the caller's phones.",
    }),
    organizationID: z.optional(
      IntId('The organisation the consent is for (the caller must be its member). Left out: every organisation the caller is a member of now (one joined later starts without).'),
    ),
  })
  .register(z.globalRegistry, { id: 'OrganizationAccess' }));

export const OrganizationAccessState = /* @__PURE__ */ z.defineReply(() => z
  .object({
    userID: z.int(),
    allow: z.boolean(),
    organizations: z.array(OrganizationMembership).register(z.globalRegistry, { description: "The caller's organisations, each with its consent as it is now." }),
  })
  .register(z.globalRegistry, { id: 'OrganizationAccessState' }));

export const OrganizationInvitation = /* @__PURE__ */ z.defineReply(() => z
  .object({ organizationID: z.int(), name: z.string(), role: z.enum(ORGANIZATION_ROLES), invitedAt: z.nullable(isoDateTime) })
  .register(z.globalRegistry, { id: 'OrganizationInvitation', description: 'An invitation to an organisation, waiting for the caller to accept or decline it.' }));

/** What GET /v1/me shows of the hotline service; null until the caller has an integer user id. */
export const HotlineMembership = /* @__PURE__ */ z.defineReply(() => z
  .object({
    userID: z.int(),
    allowOrganizationAdmins: z.boolean().register(z.globalRegistry, {
      description: 'For clients of the single consent: true when the caller allows the admins of every organisation they are a member of (and is a member of one). Consent is per organisation (`organizations[].allowAdmins`).',
    }),
    organizations: z.array(OrganizationMembership),
    invitations: z.array(OrganizationInvitation),
  })
  .register(z.globalRegistry, {
    id: 'HotlineMembership',
    description: "The caller's integer user id in the hotline service, their organisations with their consent for each one's admins, and their pending invitations.",
  }));

// --- Agent phones -------------------------------------------------------------------------------

const PhoneInput = /* @__PURE__ */ z.defineSchema(() => z.string().check(z.minLength(3), z.maxLength(32), z.regex(/^\+?[0-9][0-9 ()./-]*$/, 'Must be a phone number.')).register(z.globalRegistry, {
  description: 'An international phone number, e.g. `004924155660` or `+4924155660`; stored in E.164.',
  examples: ['004924155660', '+4924155660', '+4915112345678'],
}));

export const AgentPhoneInput = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    id: z.optional(
      z.int().register(z.globalRegistry, { description: 'Optional, as generated clients send it: ignored on create (the service gives the id); on update it must be the id in the path, or 0.' }),
    ),
    isActive: z.boolean().register(z.globalRegistry, { description: 'Active agent phones are called, inactive ones not.' }),
    name: line(100),
    phone: PhoneInput,
    userID: IntId('The owner\'s integer user id.'),
  })
  .register(z.globalRegistry, { id: 'AgentPhoneInput' }));

export const AgentPhone = /* @__PURE__ */ z.defineReply(() => z
  .object({ id: z.int(), isActive: z.boolean(), name: z.string(), phone: z.string(), userID: z.int() })
  .register(z.globalRegistry, { id: 'AgentPhone' }));

export const AgentPhoneList = /* @__PURE__ */ z.defineReply(() => z.array(AgentPhone).register(z.globalRegistry, { id: 'AgentPhoneList' }));

export const ListAgentPhonesQuery = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  owner_id: queryId('The integer id of the user whose phones are listed.'),
  organization_id: z.optional(queryId('The organisation through which an admin acts on a member\'s phones.')),
}));

export const OrganizationScopeQuery = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  organization_id: z.optional(queryId('The organisation through which an admin acts on a member\'s phone.')),
}));

export const AgentPhonePath = /* @__PURE__ */ z.defineSchema(() => z.strictObject({ id: pathId('The agent phone\'s integer id.') }));

// --- Hotlines -----------------------------------------------------------------------------------

const tts = (what: string) => z.string().check(z.maxLength(TTS_MAX)).register(z.globalRegistry, { description: `Text played to ${what}, at most 300 characters.` });
const channels = (what: string) =>
  z._default(z.int().check(z.minimum(CHANNELS.min), z.maximum(CHANNELS.max)), CHANNELS.fallback).register(z.globalRegistry, {
    description: `Telephony channels ${what}, 1 to 100 (default 10).`,
  });

export const HotlineInput = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    agents: z.array(IntId('An agent\'s integer user id.')).check(z.maxLength(AGENTS_MAX)).register(z.globalRegistry, {
      description: 'The user ids called as agents, in order; each must be a member of the organisation.',
    }),
    channelsInbound: channels('for inbound calls'),
    channelsOutbound: channels('for outbound calls'),
    id: z.optional(
      z.int().register(z.globalRegistry, { description: 'Optional, as generated clients send it: ignored on create (the service gives the id); on update it must be the id in the path, or 0.' }),
    ),
    isActive: z.boolean().register(z.globalRegistry, { description: 'Active hotlines are reachable; inactive ones answer with a short message and hang up.' }),
    name: line(200),
    organizationID: IntId('The organisation running the hotline.'),
    status: z.optional(z.string().check(z.maxLength(20)).register(z.globalRegistry, { description: 'Ignored: the status is the service\'s; a client cannot set it (pause a hotline with `isActive`).' })),
    ttsInbound: z.optional(tts('inbound callers')),
    ttsOutbound: z.optional(tts('the answering agent')),
  })
  .register(z.globalRegistry, { id: 'HotlineInput' }));

export const Hotline = /* @__PURE__ */ z.defineReply(() => z
  .object({
    agents: z.array(z.int()),
    channelsInbound: z.int(),
    channelsOutbound: z.int(),
    id: z.int(),
    isActive: z.boolean(),
    name: z.string(),
    number: z.nullable(z.string()),
    organizationID: z.int(),
    status: z.enum(HOTLINE_STATUSES),
    failureReason: z.optional(z.string()),
    ttsInbound: z.string(),
    ttsOutbound: z.string(),
  })
  .register(z.globalRegistry, {
    id: 'Hotline',
    description:
      "`status`: `created` until its number and jambonz application exist, then `active` (`paused` while `isActive` is false), or `failed` with `failureReason` while provisioning is retried, or `waiting-for-number` while Fonella's pool has no free number in the organisation's area code (Fonella's admins are told and add one; the hotline then becomes `active` on its own).",
  }));

export const HotlinePage = /* @__PURE__ */ z.defineReply(() => z.object({ hotlines: z.array(Hotline), totalHotlines: z.int() }).register(z.globalRegistry, { id: 'HotlinePage' }));

export const ListHotlinesQuery = /* @__PURE__ */ z.defineSchema(() => z.strictObject({ organization_id: queryId('The organisation whose hotlines are listed.'), ...PageQuery }));

export const HotlinePath = /* @__PURE__ */ z.defineSchema(() => z.strictObject({ hotlineID: pathId('The hotline\'s integer id.') }));

export const PageOnlyQuery = /* @__PURE__ */ z.defineSchema(() => z.strictObject(PageQuery));

export const CallLogEntry = /* @__PURE__ */ z.defineReply(() => z
  .object({ action: z.string(), agentPhone: z.nullable(z.string()), id: z.int(), startTime: isoDateTime, userID: z.nullable(z.int()) })
  .register(z.globalRegistry, { id: 'CallLogEntry', description: '`action`: `incoming`, `dial`, `ringing`, `answered`, `no-answer`, `completed`; `declined` (every inbound channel in use: the call was rejected busy, unanswered and not billed), `no-channel` (every outbound channel in use: `agentPhone` was not rung and the caller heard that the lines are busy).' }));

export const CallLog = /* @__PURE__ */ z.defineReply(() => z
  .object({ entries: z.array(CallLogEntry), hotlineID: z.int(), id: z.int(), startTime: isoDateTime })
  .register(z.globalRegistry, { id: 'CallLog' }));

export const CallLogPage = /* @__PURE__ */ z.defineReply(() => z.object({ callLogs: z.array(CallLog), totalCallLogs: z.int() }).register(z.globalRegistry, { id: 'CallLogPage' }));

export const CallLogPath = /* @__PURE__ */ z.defineSchema(() => z.strictObject({ hotlineID: pathId('The hotline\'s integer id.'), logID: pathId('The call log\'s integer id.') }));

export const HotlineRecord = /* @__PURE__ */ z.defineReply(() => z
  .object({ destinationNumber: z.string(), hotlineID: z.int(), id: z.int(), price: z.number(), timeEnd: isoDateTime, timeStart: isoDateTime })
  .register(z.globalRegistry, { id: 'HotlineRecord', description: 'One completed call: its price is the started minutes times the per-minute rate.' }));

export const RecordPage = /* @__PURE__ */ z.defineReply(() => z.object({ records: z.array(HotlineRecord), totalRecords: z.int() }).register(z.globalRegistry, { id: 'RecordPage' }));

// --- SIP account --------------------------------------------------------------------------------

export const SipAccountInput = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    city: line(100),
    cityCode: z.string().check(z.maxLength(7), z.regex(/^0?[1-9][0-9]{1,5}$/, 'Must be an area code, e.g. 0241.')).register(z.globalRegistry, {
      description: 'The area code of the organisation\'s local numbers, e.g. `0241`.',
      examples: ['0241', '30'],
    }),
    country: z.string().check(z.length(2), z.regex(/^[A-Z]{2}$/, 'Must be a two-letter country code.')).register(z.globalRegistry, {
      description: 'Short country code, e.g. `DE` for Germany.',
      examples: ['DE', 'AT'],
    }),
    name: line(200),
    organizationID: IntId('The organisation the account is for.'),
    street: line(200),
    streetHousenumber: z.int().check(z.minimum(1), z.maximum(99_999)),
  })
  .register(z.globalRegistry, { id: 'SipAccountInput' }));

export const SipAccountExists = /* @__PURE__ */ z.defineReply(() => z.object({ exists: z.boolean() }).register(z.globalRegistry, { id: 'SipAccountExists' }));

// --- jambonz hooks ------------------------------------------------------------------------------

/** What jambonz posts to a call hook and a call status hook; every other field it sends is kept and ignored. */
export const JambonzCallPayload = /* @__PURE__ */ z.defineSchema(() => z
  .looseObject({
    call_sid: z.string().check(z.minLength(1), z.maxLength(128)),
    parent_call_sid: z.optional(z.string().check(z.maxLength(128))),
    direction: z.optional(z.string().check(z.maxLength(20))),
    from: z.optional(z.string().check(z.maxLength(256))),
    to: z.optional(z.string().check(z.maxLength(256))),
    call_status: z.optional(z.string().check(z.maxLength(40))),
    dial_call_status: z.optional(z.string().check(z.maxLength(40))),
    duration: z.optional(z.number().check(z.minimum(0), z.maximum(604_800))),
  })
  .register(z.globalRegistry, { id: 'JambonzCallPayload', additionalProperties: true, description: "jambonz's call information (every field it sends; the ones we read are listed)." }));

export const JambonzVerbs = /* @__PURE__ */ z.defineReply(() => z
  .array(z.looseObject({ verb: z.string() }).register(z.globalRegistry, { additionalProperties: true }))
  .register(z.globalRegistry, { id: 'JambonzVerbs', description: 'jambonz verbs for the call (say, dial, hangup; sip:decline alone, 486, for a call over the inbound channels).' }));

export const JambonzAck = /* @__PURE__ */ z.defineReply(() => z.object({}).register(z.globalRegistry, { id: 'JambonzAck', description: 'Received.' }));
