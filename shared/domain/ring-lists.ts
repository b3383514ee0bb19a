// Whom a hotline's call rings, and the ring list that keeps it beside the hotline
// (shared/db/hotline-rings.ts) so the call hook reads it with the hotline in one request.
// - `ringPhonesOf`: the truth, per agent: the active phones (by id) of an agent who is an accepted
//   member of the hotline's organisation allowing its admins; none for any other agent (an invitee, a
//   member without that consent, someone no longer a member). One BatchGetItem of the member rows, then
//   one Query of each consenting agent's phones.
// - `ringOf`: the phones a call rings, in order (the agents in the hotline's order): from the ring list
//   when it was computed for the hotline as it is now (its `updatedAt`), else from the truth.
// - `refreshRingLists`: the refreshRingLists worker. A row that changes whom a hotline rings sets off a
//   refresh of each hotline it touches: the hotline's own row (created, or edited: `updatedAt`), a
//   member row (added, accepted, consent given or withdrawn, removed), an agent phone (added, changed,
//   switched on or off, removed). A refresh takes a ticket, reads the truth strongly consistent and
//   writes the list unless a later refresh took a ticket meanwhile: every change is followed by a
//   refresh that reads it, and no refresh that read before it writes after that one. So the list is
//   the truth as of its last refresh: behind it by the stream's delay (about a second), during which
//   a call rings the phones as they were (a phone switched off or a consent withdrawn a moment ago);
//   an edited hotline is read from the truth until its list is computed again. A record parked after
//   its retries leaves its hotlines' lists behind until their next change: the rebuild is any edit of
//   the hotline (PUT /v1/hotlines/{id} with the same body).
import type { AgentPhonesRepository } from '../db/agent-phones';
import { agentPhoneIdOfKey } from '../db/agent-phones';
import type { ReadTogether } from '../db/get-items';
import type { HotlineRingsRepository, RingList } from '../db/hotline-rings';
import { hotlineIdOfKey, hotlineRead, type HotlineRow, type HotlinesRepository } from '../db/hotlines';
import { memberIdOfKey, memberRead, type OrganizationsRepository } from '../db/organizations';
import { isAcceptedMember } from './hotline-access';

export interface RingTruthDeps {
  read: ReadTogether;
  phones: Pick<AgentPhonesRepository, 'listByOwner'>;
}

export interface RingPhone {
  phone: string;
  userID: number;
}

/** Per agent of the hotline (its integer user id): the phones its calls ring, read from the member rows and the phones. */
export async function ringPhonesOf(deps: RingTruthDeps, hotline: Pick<HotlineRow, 'organizationID' | 'agents'>): Promise<Record<string, string[]>> {
  const agents = [...new Set(hotline.agents)];
  if (agents.length === 0) return {};
  const { members } = await deps.read({ members: agents.map((userID) => memberRead(hotline.organizationID, userID)) });
  const lists = await Promise.all(
    agents.map(async (userID, i) => {
      const member = members[i];
      if (!isAcceptedMember(member) || !member.allowAdmins) return [];
      return (await deps.phones.listByOwner(member.sub, { consistent: true })).filter((p) => p.isActive).map((p) => p.phone);
    }),
  );
  return Object.fromEntries(agents.map((userID, i) => [String(userID), lists[i]!]));
}

/** Whether the ring list was computed for the hotline as it is now (else the truth is read). */
export const ringListFits = (ring: RingList | undefined, hotline: Pick<HotlineRow, 'updatedAt' | 'agents'>): ring is RingList =>
  ring !== undefined && ring.forUpdatedAt === hotline.updatedAt && hotline.agents.every((a) => Array.isArray(ring.phones[String(a)]));

/** The phones a call of the hotline rings, in order: the agents in the hotline's order, each agent's phones by id. */
export async function ringOf(deps: RingTruthDeps, hotline: Pick<HotlineRow, 'organizationID' | 'agents' | 'updatedAt'>, ring: RingList | undefined): Promise<RingPhone[]> {
  const phones = ringListFits(ring, hotline) ? ring.phones : await ringPhonesOf(deps, hotline);
  return hotline.agents.flatMap((userID) => (phones[String(userID)] ?? []).map((phone) => ({ phone, userID })));
}

export interface RingListDeps extends RingTruthDeps {
  hotlines: Pick<HotlinesRepository, 'get' | 'idsOfOrganization' | 'keepInOrganization'>;
  rings: HotlineRingsRepository;
  organizations: Pick<OrganizationsRepository, 'membershipsOf'>;
  phones: Pick<AgentPhonesRepository, 'listByOwner'>;
}

/** Computes the hotline's ring list anew (see above): 'outrun' when a later refresh will write it. */
export async function refreshRingList(deps: RingListDeps, hotlineID: number): Promise<'written' | 'outrun' | 'no-hotline'> {
  const ticket = await deps.rings.takeTicket(hotlineID);
  const hotline = await deps.hotlines.get(hotlineID);
  if (!hotline) return 'no-hotline';
  const phones = await ringPhonesOf(deps, hotline);
  return (await deps.rings.write(hotlineID, ticket, { forUpdatedAt: hotline.updatedAt, phones })) ? 'written' : 'outrun';
}

/** A changed row, as a stream record gives it. */
export interface RowChange {
  event: 'INSERT' | 'MODIFY' | 'REMOVE';
  keys: { pk: string; sk: string };
  oldImage?: Record<string, unknown>;
  newImage?: Record<string, unknown>;
}

const HOTLINE_FIELDS = ['updatedAt'];
const MEMBER_FIELDS = ['status', 'allowAdmins', 'sub'];
const PHONE_FIELDS = ['phone', 'isActive'];

const changed = (row: RowChange, fields: string[]) =>
  row.event !== 'MODIFY' || fields.some((f) => JSON.stringify(row.oldImage?.[f]) !== JSON.stringify(row.newImage?.[f]));

/** Whether the keys are the entity's (its parser takes them). */
const parse = <T>(parser: (keys: RowChange['keys']) => T, keys: RowChange['keys']): T | undefined => {
  try {
    return parser(keys);
  } catch {
    return undefined;
  }
};

/** The hotlines of `organizationID` that name `userID` as an agent. */
async function hotlinesOfAgent(deps: RingListDeps, organizationID: number, userID: number): Promise<number[]> {
  const ids = await deps.hotlines.idsOfOrganization(organizationID);
  if (ids.length === 0) return [];
  const { hotlines } = await deps.read({ hotlines: ids.map(hotlineRead) });
  return hotlines.filter((h) => h?.agents.includes(userID)).map((h) => h!.id);
}

/** The hotlines whose ring lists a changed row touches (none for a row that changes nothing they hold). */
export async function hotlinesTouched(deps: RingListDeps, row: RowChange): Promise<number[]> {
  const hotline = parse(hotlineIdOfKey, row.keys);
  if (hotline) {
    if (row.event === 'REMOVE' || !changed(row, HOTLINE_FIELDS)) return [];
    // A hotline made before its organisation kept the set of its hotlines' ids joins it, before its
    // list is read: member and phone changes from then on find it.
    const org = Number(row.newImage?.organizationID);
    if (Number.isInteger(org)) await deps.hotlines.keepInOrganization(org, hotline.hotlineId);
    return [hotline.hotlineId];
  }
  const member = parse(memberIdOfKey, row.keys);
  if (member) return changed(row, MEMBER_FIELDS) ? hotlinesOfAgent(deps, member.organizationID, member.userID) : [];
  const phone = parse(agentPhoneIdOfKey, row.keys);
  if (phone && changed(row, PHONE_FIELDS)) {
    const userID = Number((row.newImage ?? row.oldImage)?.userID);
    if (!Number.isInteger(userID)) return [];
    // The organisations the owner belongs to now; one they left has their member row removed, which sets off its own refresh.
    const orgs = (await deps.organizations.membershipsOf(phone.sub)).filter((m) => m.status === 'active').map((m) => m.organizationID);
    return [...new Set((await Promise.all(orgs.map((org) => hotlinesOfAgent(deps, org, userID)))).flat())];
  }
  return [];
}

/** The worker's use case: each hotline the row touches gets its list computed anew. */
export async function refreshRingLists(deps: RingListDeps, row: RowChange): Promise<number[]> {
  const ids = await hotlinesTouched(deps, row);
  for (const id of ids) await refreshRingList(deps, id);
  return ids;
}
