// Hotlines of an organisation, their call logs and billing records, and the organisation's SIP account.
// Creating a hotline stores it as `created` and answers at once; the provisionHotline worker gives it a
// number and a jambonz application (shared/domain/hotline-provisioning.ts); an organisation has at
// most `hotlinesPerOrganization` (409 quota-hotlines). Lists are the hotline API's offset pages
// (`limit` 1..50, `offset`, and the total), each read by position (shared/db/positions.ts): a page costs
// `limit` items whatever its offset. Agents must be accepted members; a call log shows each
// agent phone whole only to its owner, masked to every other member.
import type { ReadTogether } from '../db/get-items';
import { hotlineRead, hotlinesCountRead, type HotlineRow, type HotlinesRepository } from '../db/hotlines';
import { memberRead, membershipRead, sipAccountRead, type MemberRow, type OrganizationsRepository, type SipAccountRow } from '../db/organizations';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { hasNumberingPlan } from '../model/phone-countries';
import type { Caller } from '../model/caller';
import type { JambonzPlatform } from '../providers/jambonz/port';
import { acceptedMembership, checkBodyId, idFromPath, isAcceptedMember, pathIdOrZero, readAsCaller } from './hotline-access';
import { logger } from '../observability/logger';
import { QuotaExceededError } from './quotas';

export const HOTLINE_SLUGS = {
  sipAccountRequired: 'sip-account-required',
  sipAccountExists: 'sip-account-exists',
  sipAccountBeingCreated: 'sip-account-being-created',
  agentNotMember: 'agent-not-member',
} as const;

type Deps = { hotlines: HotlinesRepository; read: ReadTogether; now?: () => Date };
const nowOf = (deps: { now?: () => Date }) => (deps.now?.() ?? new Date()).toISOString();

export interface HotlineInput {
  /** A generated client's copy of the id: ignored on create, checked against the path on update (checkBodyId). */
  id?: number;
  agents: number[];
  channelsInbound: number;
  channelsOutbound: number;
  isActive: boolean;
  name: string;
  organizationID: number;
  ttsInbound?: string;
  ttsOutbound?: string;
}

export function hotlineView(h: HotlineRow) {
  return {
    agents: h.agents,
    channelsInbound: h.channelsInbound,
    channelsOutbound: h.channelsOutbound,
    id: h.id,
    isActive: h.isActive,
    name: h.name,
    number: h.number ?? null,
    organizationID: h.organizationID,
    status: h.status === 'active' && !h.isActive ? ('paused' as const) : h.status,
    ...(h.failureReason ? { failureReason: h.failureReason } : {}),
    ttsInbound: h.ttsInbound,
    ttsOutbound: h.ttsOutbound,
  };
}

/** The agents (unique) with their member rows as read: 409 naming those who are no accepted members. */
function agentsAreMembers(agents: number[], members: (MemberRow | undefined)[]) {
  const missing = agents.filter((_, i) => !isAcceptedMember(members[i]));
  if (missing.length) {
    throw new ConflictError(`Not members of the organisation: ${missing.join(', ')}. Invite them first; they become members when they accept.`, HOTLINE_SLUGS.agentNotMember);
  }
}

/**
 * The hotline `pathId` names, when the caller is a member of its organisation (else 404, as for a
 * missing one; `admin`: 403 unless an admin), and the caller's integer id: two reads, the first with the
 * caller's account (the route's gate), the second their membership (and the member rows of `agents`).
 */
async function hotlineAndMember(deps: Deps, caller: Caller, pathId: string, opts: { admin?: boolean; agents?: number[] } = {}) {
  const { hotline, user } = await readAsCaller(deps, caller.id, { hotline: hotlineRead(pathIdOrZero(pathId)) });
  if (!hotline) throw new NotFoundError('No hotline with this id.');
  const org = hotline.organizationID;
  const got = await deps.read({ membership: membershipRead(caller.id, org), agents: (opts.agents ?? []).map((userID) => memberRead(org, userID)) });
  acceptedMembership(user && got.membership, { admin: opts.admin, notFound: 'No hotline with this id.' });
  return { hotline, viewer: user!.userID, agents: got.agents };
}

const hotlineFor = async (deps: Deps, caller: Caller, pathId: string, opts: { admin?: boolean } = {}) => (await hotlineAndMember(deps, caller, pathId, opts)).hotline;

/**
 * A new hotline: 3 round trips. One read of what decides (the caller's account and membership, the
 * organisation's SIP account, the agents' member rows, the organisation's hotline count), the
 * hotline's id, and one transaction of the hotline and its count.
 */
export async function createHotline(deps: Deps & { read: ReadTogether; quotas: { hotlinesPerOrganization: number } }, caller: Caller, input: HotlineInput) {
  const org = input.organizationID;
  const agents = [...new Set(input.agents)];
  const got = await readAsCaller(deps, caller.id, {
    membership: membershipRead(caller.id, org),
    sip: sipAccountRead(org),
    agents: agents.map((userID) => memberRead(org, userID)),
    count: hotlinesCountRead(org),
  });
  acceptedMembership(got.membership, { admin: true });
  if (got.sip?.status !== 'active') {
    throw new ConflictError('The organisation needs its SIP account first (POST /v1/organizations/sip-account).', HOTLINE_SLUGS.sipAccountRequired);
  }
  agentsAreMembers(agents, got.agents);
  const now = nowOf(deps);
  const limit = deps.quotas.hotlinesPerOrganization;
  const fields: Omit<HotlineRow, 'id'> = {
    organizationID: input.organizationID,
    name: input.name,
    agents: input.agents,
    channelsInbound: input.channelsInbound,
    channelsOutbound: input.channelsOutbound,
    isActive: input.isActive,
    status: 'created',
    ttsInbound: input.ttsInbound ?? '',
    ttsOutbound: input.ttsOutbound ?? '',
    createdAt: now,
    updatedAt: now,
  };
  const row = await deps.hotlines.create(fields, limit, got.count);
  if (row === 'over-quota') throw new QuotaExceededError('hotlines', limit);
  return hotlineView(row);
}

export async function getHotline(deps: Deps, caller: Caller, pathId: string) {
  return hotlineView(await hotlineFor(deps, caller, pathId));
}

export async function listHotlines(deps: Deps, caller: Caller, q: { organization_id: number; limit: number; offset: number }) {
  acceptedMembership((await readAsCaller(deps, caller.id, { membership: membershipRead(caller.id, q.organization_id) })).membership);
  const page = await deps.hotlines.pageByOrganization(q.organization_id, q);
  return { hotlines: page.items.map(hotlineView), totalHotlines: page.total };
}

/** Changes a hotline (its admins); the organisation stays. A failed hotline is provisioned again. */
export async function updateHotline(deps: Deps, caller: Caller, pathId: string, input: HotlineInput) {
  const agents = [...new Set(input.agents)];
  const { hotline, agents: members } = await hotlineAndMember(deps, caller, pathId, { admin: true, agents });
  checkBodyId(input.id, hotline.id);
  if (input.organizationID !== hotline.organizationID) {
    throw new ValidationError([{ path: 'body.organizationID', message: 'A hotline stays with its organisation.' }]);
  }
  agentsAreMembers(agents, members);
  const updated = await deps.hotlines.update(
    hotline.id,
    {
      name: input.name,
      agents: input.agents,
      channelsInbound: input.channelsInbound,
      channelsOutbound: input.channelsOutbound,
      isActive: input.isActive,
      ttsInbound: input.ttsInbound ?? '',
      ttsOutbound: input.ttsOutbound ?? '',
      updatedAt: nowOf(deps),
    },
    hotline.status === 'failed',
  );
  return hotlineView(updated);
}

/**
 * A phone number as other members see it in a call log: the same length, at most its first three and
 * last two digits shown and never more than half of them, the rest as `*` (`+4915112345678` →
 * `+491********78`): enough to tell phones apart, not to call one.
 */
export function maskPhone(phone: string): string {
  const plus = phone.startsWith('+') ? '+' : '';
  const digits = phone.slice(plus.length);
  const shown = Math.min(5, Math.floor(digits.length / 2));
  const tail = Math.min(2, Math.floor(shown / 2));
  const head = shown - tail;
  return `${plus}${digits.slice(0, head)}${'*'.repeat(digits.length - shown)}${digits.slice(digits.length - tail)}`;
}

/** A call log as `viewer` (a member's integer user id) sees it: their own phones whole, every other phone masked. */
const logView =
  (viewer: number) =>
  (l: { id: number; hotlineID: number; startTime: string; entries: { action: string; agentPhone: string | null; userID: number | null; startTime: string }[] }) => ({
    entries: l.entries.map((e, i) => ({
      action: e.action,
      agentPhone: e.agentPhone === null || e.userID === viewer ? e.agentPhone : maskPhone(e.agentPhone),
      id: i + 1,
      startTime: e.startTime,
      userID: e.userID,
    })),
    hotlineID: l.hotlineID,
    id: l.id,
    startTime: l.startTime,
  });

export async function listCallLogs(deps: Deps, caller: Caller, pathId: string, q: { limit: number; offset: number }) {
  const { hotline, viewer } = await hotlineAndMember(deps, caller, pathId);
  const page = await deps.hotlines.pageLogs(hotline.id, q);
  return { callLogs: page.items.map(logView(viewer)), totalCallLogs: page.total };
}

export async function getCallLog(deps: Deps, caller: Caller, pathId: string, logPathId: string) {
  const { hotline, viewer } = await hotlineAndMember(deps, caller, pathId);
  const log = await deps.hotlines.getLog(hotline.id, idFromPath(logPathId, 'call log'));
  if (!log) throw new NotFoundError('No call log with this id on this hotline.');
  return logView(viewer)(log);
}

export async function listRecords(deps: Deps, caller: Caller, pathId: string, q: { limit: number; offset: number }) {
  const hotline = await hotlineFor(deps, caller, pathId);
  const page = await deps.hotlines.pageRecords(hotline.id, q);
  return {
    records: page.items.map((r) => ({ destinationNumber: r.destinationNumber, hotlineID: r.hotlineID, id: r.id, price: r.price, timeEnd: r.timeEnd, timeStart: r.timeStart })),
    totalRecords: page.total,
  };
}

// --- SIP account --------------------------------------------------------------------------------

export interface SipAccountInput {
  city: string;
  cityCode: string;
  country: string;
  name: string;
  organizationID: number;
  street: string;
  streetHousenumber: number;
}

/**
 * The organisation's SIP account: a jambonz VoIP carrier for the organisation with a SIP gateway at
 * `gateway`. Claimed on its row first (a second request gets 409); a provider failure undoes the
 * carrier and gives the claim back (502), so a retry starts clean.
 */
/** The fields of a SIP account that a repeated request must match to be the same request. */
const SIP_ACCOUNT_FIELDS = ['name', 'street', 'streetHousenumber', 'cityCode', 'city', 'country'] as const;

/**
 * The organisation's SIP account, as the seed answers it: `{ exists: true }`, `created` when this
 * request made it. A repeat with the same data finds it and answers the same (not created); one with
 * other data is 409 `sip-account-exists`, and one while another request still makes it is 409
 * `sip-account-being-created`.
 */
export async function createSipAccount(
  deps: { organizations: OrganizationsRepository; read: ReadTogether; jambonz: JambonzPlatform; gateway: string; now?: () => Date },
  caller: Caller,
  input: SipAccountInput,
): Promise<{ exists: true; created: boolean }> {
  const { membership } = await readAsCaller(deps, caller.id, { membership: membershipRead(caller.id, input.organizationID) });
  if (!hasNumberingPlan(input.country)) throw new ValidationError([{ path: 'body.country', message: 'Must be a country code we have numbers for, e.g. DE.' }]);
  acceptedMembership(membership, { admin: true });
  const row: SipAccountRow = { ...input, status: 'creating', createdAt: nowOf(deps) };
  const claim = await deps.organizations.claimSipAccount(row);
  if (!claim.created) {
    const held = claim.existing;
    if (SIP_ACCOUNT_FIELDS.some((f) => held[f] !== input[f])) {
      throw new ConflictError('The organisation has its SIP account already, with other data.', HOTLINE_SLUGS.sipAccountExists);
    }
    if (held.status !== 'active') {
      throw new ConflictError('Another request is creating this SIP account right now; retry in a moment.', HOTLINE_SLUGS.sipAccountBeingCreated);
    }
    return { exists: true, created: false };
  }
  let carrierSid: string | undefined;
  try {
    carrierSid = (await deps.jambonz.createCarrier({ name: `fonella-org-${input.organizationID}`, description: `${input.name}, ${input.street} ${input.streetHousenumber}, ${input.city} (${input.country})`, e164LeadingPlus: true })).sid;
    const gatewaySid = (await deps.jambonz.createSipGateway({ carrierSid, address: deps.gateway, port: 5060, inbound: true, outbound: true })).sid;
    await deps.organizations.activateSipAccount(input.organizationID, { carrierSid, gatewaySid });
  } catch (err) {
    if (await sipAccountRecorded(deps, input.organizationID, carrierSid)) return { exists: true, created: true };
    throw err;
  }
  return { exists: true, created: true };
}

/**
 * After a failed step: whether the row records the carrier after all (the activation was written and
 * its answer lost). The claim is given back first (only while it is still a claim, so an activation
 * that landed stays), then the row decides: active with this carrier keeps it; anything else deletes
 * the carrier at jambonz (its gateway goes with it). A row that cannot be read leaves the carrier: the
 * row may name it.
 */
async function sipAccountRecorded(deps: { organizations: OrganizationsRepository; jambonz: JambonzPlatform }, organizationID: number, carrierSid: string | undefined): Promise<boolean> {
  await deps.organizations.releaseSipAccount(organizationID).catch((e: unknown) => logger.error('SIP account claim not released', { organizationID, error: e as Error }));
  if (!carrierSid) return false;
  let row: SipAccountRow | undefined;
  try {
    row = await deps.organizations.getSipAccount(organizationID);
  } catch (e) {
    logger.error('SIP account row unreadable after a failed step: the jambonz carrier is kept, it may be orphaned', { organizationID, carrierSid, error: e as Error });
    return false;
  }
  if (row?.status === 'active' && row.carrierSid === carrierSid) return true;
  await deps.jambonz.deleteCarrier(carrierSid).catch((e: unknown) => logger.error('orphaned jambonz carrier not deleted', { carrierSid, error: e as Error }));
  return false;
}

export async function sipAccountExists(deps: { read: ReadTogether }, caller: Caller, pathId: string) {
  const organizationID = pathIdOrZero(pathId);
  const { membership, sip } = await readAsCaller(deps, caller.id, { membership: membershipRead(caller.id, organizationID), sip: sipAccountRead(organizationID) });
  idFromPath(pathId, 'organisation');
  acceptedMembership(membership);
  return { exists: sip?.status === 'active' };
}
