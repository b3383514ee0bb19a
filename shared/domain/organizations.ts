// Organisations of the hotline service: creating one (the caller becomes its admin; at most
// `organizationsPerUser` per creator, else 409 quota-organizations), inviting members by Auth0 user id
// (admins only; the invitee's integer user id is allocated once; never into an account deleted or
// being deleted, 409 user-account-deleted), the invitee accepting or declining, and a member's
// consent, per organisation, that its admins act on their resources (which also lets its hotlines ring
// their phones). An invitation gives the organisation nothing of the invitee's: it is a membership
// only once accepted, and consent is off until given.
import type { ReadTogether } from '../db/get-items';
import { hotlineUserRead, membershipRead, organizationRead, organizationsCountRead, type MembershipRow, type OrganizationsRepository } from '../db/organizations';
import { ConflictError, NotFoundError } from '../errors';
import type { Caller } from '../model/caller';
import { inOpenAccount } from './account-state';
import { acceptedMembership, idFromPath, isAcceptedMember, pathIdOrZero, readAsCaller } from './hotline-access';
import { QuotaExceededError } from './quotas';

export const MEMBER_EXISTS = 'member-exists';
export const INVITATION_PENDING = 'invitation-pending';

type Deps = { organizations: OrganizationsRepository; read: ReadTogether; now?: () => Date };
const nowOf = (deps: Deps) => (deps.now?.() ?? new Date()).toISOString();

export async function createOrganization(deps: Deps & { quotas: { organizationsPerUser: number } }, caller: Caller, input: { name: string }) {
  const now = nowOf(deps);
  const limit = deps.quotas.organizationsPerUser;
  const { user, used } = await readAsCaller(deps, caller.id, { used: organizationsCountRead(caller.id) });
  const admin = user ?? (await inOpenAccount(caller.id, deps.organizations.createUser(caller.id, now)));
  const org = await inOpenAccount(caller.id, deps.organizations.createOrganization({ name: input.name, admin, now, quota: limit, used }));
  if (org === 'over-quota') throw new QuotaExceededError('organizations', limit);
  return { id: org.organizationID, name: org.name, role: 'admin' as const, createdAt: org.createdAt };
}

/** An admin invites a person by Auth0 user id: an invitation they accept or decline (GET /v1/me lists it). */
export async function inviteMember(deps: Deps, caller: Caller, pathId: string, input: { userId: string; role: 'admin' | 'member' }) {
  const organizationID = pathIdOrZero(pathId);
  const got = await readAsCaller(deps, caller.id, {
    membership: membershipRead(caller.id, organizationID),
    org: organizationRead(organizationID),
    invitee: hotlineUserRead(input.userId),
  });
  idFromPath(pathId, 'organisation');
  acceptedMembership(got.membership, { admin: true });
  const org = got.org;
  if (!org) throw new ConflictError('The organisation is gone.', 'organization-gone');
  const now = nowOf(deps);
  const user = got.invitee ?? (await inOpenAccount(caller.id, deps.organizations.createUser(input.userId, now)));
  const invited = await inOpenAccount(caller.id, deps.organizations.invite({ organizationID, userID: user.userID, sub: user.sub, role: input.role, invitedAt: now }, org.name));
  if (!invited) {
    const existing = await deps.organizations.getMember(organizationID, user.userID);
    if (existing && !isAcceptedMember(existing)) throw new ConflictError('This user has been invited already and has not answered yet.', INVITATION_PENDING);
    throw new ConflictError('This user is a member of the organisation already.', MEMBER_EXISTS);
  }
  return { organizationID, userID: user.userID, role: input.role, status: 'invited' as const };
}

const membershipView = (m: Pick<MembershipRow, 'organizationID' | 'name' | 'role' | 'allowAdmins'>) => ({
  organizationID: m.organizationID,
  name: m.name,
  role: m.role,
  allowAdmins: m.allowAdmins,
});

/** The caller's own row of the membership (or invitation) their path names, with their integer id row; 404 when they have none. */
async function ownMembership(deps: Deps, caller: Caller, pathId: string) {
  const organizationID = pathIdOrZero(pathId);
  const { user, membership } = await readAsCaller(deps, caller.id, { membership: membershipRead(caller.id, organizationID) });
  idFromPath(pathId, 'invitation');
  if (!user || !membership) throw new NotFoundError('No invitation to this organisation.');
  return { organizationID, ref: { organizationID, userID: user.userID, sub: user.sub }, membership };
}

/** The invitee accepts: from now on a member, still without consent. Accepting again answers the membership. */
export async function acceptInvitation(deps: Deps, caller: Caller, pathId: string) {
  const { organizationID, ref, membership } = await ownMembership(deps, caller, pathId);
  let current = membership;
  if (membership.status !== 'active') {
    await deps.organizations.acceptInvitation(ref, nowOf(deps));
    // Read back: a concurrent accept was first (fine), or the invitation was declined meanwhile (gone).
    const { after } = await deps.read({ after: membershipRead(caller.id, organizationID) });
    if (after?.status !== 'active') throw new NotFoundError('No invitation to this organisation.');
    current = after;
  }
  return membershipView(current);
}

/** The invitee declines: the invitation goes. A membership already accepted is no invitation (404). */
export async function declineInvitation(deps: Deps, caller: Caller, pathId: string): Promise<void> {
  const { ref, membership } = await ownMembership(deps, caller, pathId);
  if (membership.status === 'active' || !(await deps.organizations.declineInvitation(ref))) {
    throw new NotFoundError('No invitation to this organisation.');
  }
}

/**
 * The caller's consent that an organisation's admins act on their resources (and that its hotlines
 * ring their phones), per organisation. With `organizationID`: that organisation's (404 unless the
 * caller is an accepted member). Without (the body of the clients of the single consent): every
 * organisation the caller is an accepted member of now; an organisation joined later starts without.
 * Answers the caller's memberships with their consent as they are now.
 */
export async function setOrganizationAccess(deps: Deps, caller: Caller, input: { allow: boolean; organizationID?: number }) {
  const { user: known } = await readAsCaller(deps, caller.id, {});
  const accepted = (await deps.organizations.membershipsOf(caller.id)).filter((m) => m.status === 'active');
  const targets = input.organizationID === undefined ? accepted : accepted.filter((m) => m.organizationID === input.organizationID);
  if (input.organizationID !== undefined && targets.length === 0) throw new NotFoundError('No organisation with this id.');
  // The caller's own integer id, allocated now if they have none (only when nothing is refused).
  const user = known ?? (await inOpenAccount(caller.id, deps.organizations.createUser(caller.id, nowOf(deps))));
  const gone = new Set<number>();
  for (const m of targets) {
    if (m.allowAdmins === input.allow) continue;
    // A membership that went meanwhile (the account removed from it) is left out of the answer.
    if (!(await deps.organizations.setMemberConsent({ organizationID: m.organizationID, userID: user.userID, sub: user.sub }, input.allow))) gone.add(m.organizationID);
  }
  if (input.organizationID !== undefined && gone.has(input.organizationID)) throw new NotFoundError('No organisation with this id.');
  const touched = new Set(targets.map((m) => m.organizationID));
  return {
    userID: user.userID,
    allow: input.allow,
    organizations: accepted.filter((m) => !gone.has(m.organizationID)).map((m) => membershipView(touched.has(m.organizationID) ? { ...m, allowAdmins: input.allow } : m)),
  };
}
