// The first-responder hotline service: organisations, their invitations and members, agent phones, hotlines with
// their call logs and billing records, the organisation's SIP account, and jambonz's hooks for the
// hotlines' calls. User routes act by the hotline service's rule (shared/domain/hotline-access.ts).
// Entries follow the rules in ./index.ts.
import type { RouteDef } from '../../shared/http/route-def';
import {
  AgentPhone,
  AgentPhoneInput,
  AgentPhoneList,
  AgentPhonePath,
  CallLog,
  CallLogPage,
  CallLogPath,
  Hotline,
  HotlineInput,
  HotlinePage,
  HotlinePath,
  InvitationPath,
  JambonzAck,
  JambonzCallPayload,
  JambonzVerbs,
  ListAgentPhonesQuery,
  ListHotlinesQuery,
  Member,
  NewMember,
  NewOrganization,
  Organization,
  OrganizationAccess,
  OrganizationAccessState,
  OrganizationMembership,
  OrganizationPath,
  OrganizationScopeQuery,
  PageOnlyQuery,
  RecordPage,
  SipAccountExists,
  SipAccountInput,
} from '../../shared/schemas/hotlines';

// Literal texts (no shared constant in an entry: see ./index.ts).
const ORG_404 = { status: 404, slugs: ['not-found'], description: '`not-found`: no organisation with this id of which the caller is a member (the two are not told apart).' };
const HOTLINE_404 = { status: 404, slugs: ['not-found'], description: "`not-found`: no hotline with this id in an organisation of the caller's (the two are not told apart)." };
const ADMIN_403 = { status: 403, slugs: ['organization-admin-required'], description: '`organization-admin-required`: the caller is a member of the organisation, not an admin.' };
const OWNER_403 = {
  status: 403,
  slugs: ['not-your-resource', 'organization-admin-required', 'not-a-member', 'member-consent-required'],
  description:
    "Another user's phones: `not-your-resource` without `organization_id`; `organization-admin-required` when the caller is not an admin of that organisation; `not-a-member` when the owner is not its member (an invitee who has not accepted is not); `member-consent-required` when the owner does not allow that organisation's admins.",
};

export const createOrganization = {
  name: 'createOrganization',
  method: 'POST',
  path: '/v1/organizations',
  handler: 'functions/hotlines/create-organization.ts',
  access: 'user',
  summary: 'Create an organisation',
  description:
    'A new organisation; the caller becomes its admin (and gets their integer user id if they had none). Each brings a SIP account at jambonz, so a user may create a few only (3 by default; each deployment sets its quota).',
  tags: ['hotlines'],
  request: { body: NewOrganization },
  response: { status: 201, body: Organization, description: 'The organisation, with its integer id.' },
  errors: [{ status: 409, slugs: ['quota-organizations'], description: '`quota-organizations`: the caller has created as many organisations as a user may; nothing was created.' }],
  accountState: 'in-partition-read',
  uses: { table: 'write' },
} satisfies RouteDef;

export const addOrganizationMember = {
  name: 'addOrganizationMember',
  method: 'POST',
  path: '/v1/organizations/{id}/members',
  handler: 'functions/hotlines/add-organization-member.ts',
  access: 'user',
  summary: 'Invite a member to an organisation',
  description:
    "An organisation admin invites a person by their Auth0 user id, as `member` (default) or `admin`. The invitation waits under the person's `GET /v1/me` (`hotlines.invitations`) until they accept or decline it; until they accept they are no member (not an agent, nothing of theirs reachable). The person's integer user id is allocated once, on their first invitation or organisation.",
  tags: ['hotlines'],
  request: { params: OrganizationPath, body: NewMember },
  response: { status: 201, body: Member, description: 'The invitation, with the person\'s integer user id (`status: invited`).' },
  errors: [
    ORG_404,
    ADMIN_403,
    {
      status: 409,
      slugs: ['member-exists', 'invitation-pending', 'user-account-deleted'],
      description:
        "`member-exists`: the person is a member already. `invitation-pending`: the person has been invited already and has not answered. `user-account-deleted`: the person's account is deleted or being deleted; nothing was written.",
    },
  ],
  accountState: 'in-partition-read',
  uses: { table: 'write' },
} satisfies RouteDef;

export const acceptOrganizationInvitation = {
  name: 'acceptOrganizationInvitation',
  method: 'POST',
  path: '/v1/me/organization-invitations/{id}/accept',
  handler: 'functions/hotlines/accept-organization-invitation.ts',
  access: 'user',
  summary: 'Accept an invitation to an organisation',
  description:
    "The caller accepts their invitation to organisation `id` and becomes its member, with the role invited as. Their consent for the organisation's admins stays off until they give it (`PUT /v1/me/organization-access`). Accepting again answers the membership. Takes no body.",
  tags: ['hotlines'],
  request: { params: InvitationPath },
  response: { status: 200, body: OrganizationMembership, description: 'The membership.' },
  errors: [{ status: 404, slugs: ['not-found'], description: '`not-found`: the caller has no invitation to (and is no member of) an organisation with this id.' }],
  accountState: 'in-partition-read',
  uses: { table: 'write' },
} satisfies RouteDef;

export const declineOrganizationInvitation = {
  name: 'declineOrganizationInvitation',
  method: 'POST',
  path: '/v1/me/organization-invitations/{id}/decline',
  handler: 'functions/hotlines/decline-organization-invitation.ts',
  access: 'user',
  summary: 'Decline an invitation to an organisation',
  description: 'The caller declines their invitation to organisation `id`: it is removed, and the organisation may invite them again. Takes no body.',
  tags: ['hotlines'],
  request: { params: InvitationPath },
  response: { status: 204, description: 'Declined.' },
  errors: [{ status: 404, slugs: ['not-found'], description: '`not-found`: the caller has no pending invitation to an organisation with this id (an accepted one is a membership).' }],
  accountState: 'in-partition-read',
  uses: { table: 'write' },
} satisfies RouteDef;

export const setOrganizationAccess = {
  name: 'setOrganizationAccess',
  method: 'PUT',
  path: '/v1/me/organization-access',
  handler: 'functions/hotlines/set-organization-access.ts',
  access: 'user',
  summary: 'Allow or refuse an organisation\'s admins',
  description:
    "The caller's consent, per organisation, that its admins act on the caller's resources (agent phones) when they name the organisation, and that its hotlines ring the caller's phones. Off until given; `allow: false` withdraws it. With `organizationID`: that organisation's. Without it (the body of clients of a single consent): every organisation the caller is a member of now; one joined later starts without.",
  tags: ['hotlines'],
  request: { body: OrganizationAccess },
  response: { status: 200, body: OrganizationAccessState, description: "The caller's integer user id and their organisations with their consent." },
  errors: [{ status: 404, slugs: ['not-found'], description: '`not-found`: `organizationID` names no organisation the caller is a member of (an invitation not yet accepted is none).' }],
  accountState: 'in-partition-read',
  uses: { table: 'write' },
} satisfies RouteDef;

export const createSipAccount = {
  name: 'createSipAccount',
  method: 'POST',
  path: '/v1/organizations/sip-account',
  handler: 'functions/hotlines/create-sip-account.ts',
  access: 'user',
  summary: "Create the organisation's SIP account",
  description:
    "The organisation's SIP account, which its hotlines need: a jambonz VoIP carrier with a SIP gateway for the organisation. Admins only. Answers `{ \"exists\": true }`: 201 when this request made it, 200 when the organisation has it already with the same data (a repeated request). A provider failure is 502 and leaves nothing behind.",
  tags: ['hotlines'],
  request: { body: SipAccountInput },
  response: {
    status: 201,
    body: SipAccountExists,
    description: '`exists`: this request made the SIP account.',
    also: { status: 200, description: '`exists`: the organisation had this SIP account already, with the same data; nothing was made.' },
  },
  errors: [
    ORG_404,
    ADMIN_403,
    {
      status: 409,
      slugs: ['sip-account-exists', 'sip-account-being-created'],
      description: '`sip-account-exists`: the organisation has its SIP account with other data. `sip-account-being-created`: another request is making it right now; retry in a moment.',
    },
  ],
  accountState: 'in-partition-read',
  uses: { table: 'write', providers: ['jambonz'] },
} satisfies RouteDef;

export const checkSipAccount = {
  name: 'checkSipAccount',
  method: 'GET',
  path: '/v1/organizations/{id}/sip-account',
  handler: 'functions/hotlines/check-sip-account.ts',
  access: 'user',
  summary: 'Whether the organisation has its SIP account',
  description: 'Whether the organisation\'s SIP account is ready (hotlines need it). For its members.',
  tags: ['hotlines'],
  request: { params: OrganizationPath },
  response: { status: 200, body: SipAccountExists, description: '`exists`: the SIP account is ready.' },
  errors: [ORG_404],
  accountState: 'in-partition-read',
  uses: { table: 'read' },
} satisfies RouteDef;

export const listAgentPhones = {
  name: 'listAgentPhones',
  method: 'GET',
  path: '/v1/agent-phones',
  handler: 'functions/hotlines/list-agent-phones.ts',
  access: 'user',
  summary: "A user's agent phones",
  description: "The phones of user `owner_id`: the caller's own, or a member's for an admin of their organisation who names it (`organization_id`) and whom the member allows.",
  tags: ['hotlines'],
  request: { query: ListAgentPhonesQuery },
  response: { status: 200, body: AgentPhoneList, description: 'The phones, by id.' },
  errors: [ORG_404, OWNER_403],
  accountState: 'in-partition-read',
  uses: { table: 'read' },
} satisfies RouteDef;

export const createAgentPhone = {
  name: 'createAgentPhone',
  method: 'POST',
  path: '/v1/agent-phones',
  handler: 'functions/hotlines/create-agent-phone.ts',
  access: 'user',
  summary: 'Add an agent phone',
  description:
    "A phone of user `userID` (the same rule as the list). `phone` is an international number, stored in E.164; active phones are rung when a hotline of an organisation whose admins the user allows calls the user. A user owns a few phones at most, whoever adds them (10 by default; each deployment sets its quota).",
  tags: ['hotlines'],
  request: { query: OrganizationScopeQuery, body: AgentPhoneInput },
  response: { status: 201, body: AgentPhone, description: 'The phone.' },
  errors: [
    ORG_404,
    OWNER_403,
    {
      status: 409,
      slugs: ['quota-agent-phones', 'user-account-deleted'],
      description: "`quota-agent-phones`: the owner has as many agent phones as a user may. `user-account-deleted`: the owner's account is deleted or being deleted. Nothing was written.",
    },
  ],
  accountState: 'in-partition-read',
  uses: { table: 'write' },
} satisfies RouteDef;

export const updateAgentPhone = {
  name: 'updateAgentPhone',
  method: 'PUT',
  path: '/v1/agent-phones/{id}',
  handler: 'functions/hotlines/update-agent-phone.ts',
  access: 'user',
  summary: 'Change an agent phone',
  description: 'Name, number and whether it is active; it keeps its owner (`userID`, else 400 `user-id-mismatch`).',
  tags: ['hotlines'],
  request: { params: AgentPhonePath, query: OrganizationScopeQuery, body: AgentPhoneInput },
  response: { status: 200, body: AgentPhone, description: 'The phone.' },
  errors: [
    { status: 400, slugs: ['user-id-mismatch'], description: '`user-id-mismatch`: `userID` is not the phone\'s owner.' },
    { status: 404, slugs: ['not-found'], description: '`not-found`: no agent phone with this id, or no organisation of the caller\'s with `organization_id`.' },
    OWNER_403,
  ],
  accountState: 'in-partition-read',
  uses: { table: 'write' },
} satisfies RouteDef;

export const listHotlines = {
  name: 'listHotlines',
  method: 'GET',
  path: '/v1/hotlines',
  handler: 'functions/hotlines/list-hotlines.ts',
  access: 'user',
  summary: "An organisation's hotlines",
  description: 'A page of the organisation\'s hotlines by id (`limit` 1..50, default 10; `offset`), with their total. For its members.',
  tags: ['hotlines'],
  request: { query: ListHotlinesQuery },
  response: { status: 200, body: HotlinePage, description: 'One page, and `totalHotlines`.' },
  errors: [ORG_404],
  accountState: 'in-partition-read',
  uses: { table: 'read' },
} satisfies RouteDef;

export const createHotline = {
  name: 'createHotline',
  method: 'POST',
  path: '/v1/hotlines',
  handler: 'functions/hotlines/create-hotline.ts',
  access: 'user',
  summary: 'Create a hotline',
  description:
    "Stored as `created` and answered at once; a local number and a jambonz application are then provisioned (status `active`, or `failed` with the reason while retried). The number costs while the hotline exists, paused or not, so an organisation has a few at most (10 by default; each deployment sets its quota). Admins only; every agent must be a member (an invitee becomes one by accepting); an agent's phones ring only while the agent allows the organisation's admins.",
  tags: ['hotlines'],
  request: { body: HotlineInput },
  response: { status: 201, body: Hotline, description: 'The hotline, `created`.' },
  errors: [
    ORG_404,
    ADMIN_403,
    {
      status: 409,
      slugs: ['sip-account-required', 'agent-not-member', 'quota-hotlines'],
      description:
        '`sip-account-required`: the organisation has no SIP account yet; `agent-not-member`: an agent is not a member of the organisation (or invited and not yet accepted); `quota-hotlines`: the organisation has as many hotlines as it may. Nothing was created.',
    },
  ],
  accountState: 'in-partition-read',
  uses: { table: 'write' },
} satisfies RouteDef;

export const getHotline = {
  name: 'getHotline',
  method: 'GET',
  path: '/v1/hotlines/{hotlineID}',
  handler: 'functions/hotlines/get-hotline.ts',
  access: 'user',
  summary: 'A hotline',
  description: 'The hotline with its status and number. For members of its organisation.',
  tags: ['hotlines'],
  request: { params: HotlinePath },
  response: { status: 200, body: Hotline, description: 'The hotline.' },
  errors: [HOTLINE_404],
  accountState: 'in-partition-read',
  uses: { table: 'read' },
} satisfies RouteDef;

export const updateHotline = {
  name: 'updateHotline',
  method: 'PUT',
  path: '/v1/hotlines/{hotlineID}',
  handler: 'functions/hotlines/update-hotline.ts',
  access: 'user',
  summary: 'Change a hotline',
  description:
    'Name, agents, texts, channels and `isActive` (false pauses it: calls hear a short message; the number is kept and still costs). A `failed` hotline is provisioned again. Admins only.',
  tags: ['hotlines'],
  request: { params: HotlinePath, body: HotlineInput },
  response: { status: 200, body: Hotline, description: 'The hotline.' },
  errors: [HOTLINE_404, ADMIN_403, { status: 409, slugs: ['agent-not-member'], description: '`agent-not-member`: an agent is not a member of the organisation (or invited and not yet accepted).' }],
  accountState: 'in-partition-read',
  uses: { table: 'write' },
} satisfies RouteDef;

export const listCallLogs = {
  name: 'listCallLogs',
  method: 'GET',
  path: '/v1/hotlines/{hotlineID}/call-logs',
  handler: 'functions/hotlines/list-call-logs.ts',
  access: 'user',
  summary: "A hotline's call logs",
  description: "A page of call logs with their entries, newest first (`limit` 1..50, default 10; `offset`), with their total. An agent phone shows whole only to its owner; other members see it masked (`+491********78`).",
  tags: ['hotlines'],
  request: { params: HotlinePath, query: PageOnlyQuery },
  response: { status: 200, body: CallLogPage, description: 'One page, and `totalCallLogs`.' },
  errors: [HOTLINE_404],
  accountState: 'in-partition-read',
  uses: { table: 'read' },
} satisfies RouteDef;

export const getCallLog = {
  name: 'getCallLog',
  method: 'GET',
  path: '/v1/hotlines/{hotlineID}/call-logs/{logID}',
  handler: 'functions/hotlines/get-call-log.ts',
  access: 'user',
  summary: 'One call log',
  description: 'One call with its entries: incoming, each agent phone dialled, ringing, answered or not, completed. An agent phone shows whole only to its owner; other members see it masked.',
  tags: ['hotlines'],
  request: { params: CallLogPath },
  response: { status: 200, body: CallLog, description: 'The call log with its entries.' },
  errors: [{ status: 404, slugs: ['not-found'], description: "`not-found`: no such hotline of the caller's organisations, or no such log on it." }],
  accountState: 'in-partition-read',
  uses: { table: 'read' },
} satisfies RouteDef;

export const listHotlineRecords = {
  name: 'listHotlineRecords',
  method: 'GET',
  path: '/v1/hotlines/{hotlineID}/records',
  handler: 'functions/hotlines/list-hotline-records.ts',
  access: 'user',
  summary: "A hotline's billing records",
  description: 'A page of billing records, one per completed call, newest first (`limit` 1..50, default 10; `offset`), with their total.',
  tags: ['hotlines'],
  request: { params: HotlinePath, query: PageOnlyQuery },
  response: { status: 200, body: RecordPage, description: 'One page, and `totalRecords`.' },
  errors: [HOTLINE_404],
  accountState: 'in-partition-read',
  uses: { table: 'read' },
} satisfies RouteDef;

export const answerHotlineCall = {
  name: 'answerHotlineCall',
  method: 'POST',
  path: '/v1/webhooks/jambonz/hotlines/{hotlineID}/call',
  handler: 'functions/webhooks/answer-hotline-call.ts',
  access: 'jambonz',
  summary: "jambonz call hook of a hotline's application",
  description:
    "jambonz asks what to do with a call: a new call takes one of the hotline's `channelsInbound` channels (all in use: `sip:decline` 486, busy) and hears `ttsInbound`, and rings the agents' active phones one after the other (of the agents who allow the organisation's admins), each ring on one of its `channelsOutbound` channels over all its calls (none free: a short message and hangup); the dial's action hook moves to the next phone; the answering agent hears `ttsOutbound`; a paused hotline answers with a short message and hangs up. Signed by jambonz (`Jambonz-Signature`).",
  tags: ['webhooks'],
  request: { params: HotlinePath, body: JambonzCallPayload, maxBodyBytes: 262_144 },
  response: { status: 200, body: JambonzVerbs, description: 'The verbs jambonz runs next.' },
  errors: [HOTLINE_404],
  uses: { table: 'write', providers: ['jambonz'] },
} satisfies RouteDef;

export const receiveHotlineCallStatus = {
  name: 'receiveHotlineCallStatus',
  method: 'POST',
  path: '/v1/webhooks/jambonz/hotlines/{hotlineID}/status',
  handler: 'functions/webhooks/receive-hotline-call-status.ts',
  access: 'jambonz',
  summary: "jambonz call status hook of a hotline's application",
  description:
    "Call status events: the agents' legs ringing, answered or not are appended to the call's log, and an agent leg's end frees its outbound channel; the caller's leg ending frees the call's channels, closes the log and writes its one billing record (started minutes times the per-minute rate; none for a declined call). Signed by jambonz (`Jambonz-Signature`).",
  tags: ['webhooks'],
  request: { params: HotlinePath, body: JambonzCallPayload, maxBodyBytes: 262_144 },
  response: { status: 200, body: JambonzAck, description: 'Received.' },
  errors: [HOTLINE_404],
  uses: { table: 'write', providers: ['jambonz'] },
} satisfies RouteDef;
