// Organisations of the hotline service: creating one (the caller becomes its admin; at most
// `organizationsPerUser` per creator, else 409 quota-organizations), inviting members by Auth0 user id
// (admins only; the invitee's integer user id is allocated once; never into an account deleted or
// being deleted, 409 user-account-deleted), the invitee accepting or declining, and a member's
// consent, per organisation, that its admins act on their resources (which also lets its hotlines ring
// their phones). An invitation gives the organisation nothing of the invitee's: it is a membership
// only once accepted, and consent is off until given.
import type { MembershipRow, OrganizationsRepository } from '../db/organizations';
import { ConflictError, NotFoundError } from '../errors';
import type { Caller } from '../model/caller';
import { inOpenAccount } from './account-state';
import { idFromPath, isAcceptedMember, requireMembership } from './hotline-access';
import { QuotaExceededError } from './quotas';

export const MEMBER_EXISTS = 'member-exists';
export const INVITATION_PENDING = 'invitation-pending';

type Deps = { organizations: OrganizationsRepository; now?: () => Date };
const nowOf = (deps: Deps) => (deps.now?.() ?? new Date()).toISOString();

export async function createOrganization(deps: Deps & { quotas: { organizationsPerUser: number } }, caller: Caller, input: { name: string }) {
  const now = nowOf(deps);
  const limit = deps.quotas.organizationsPerUser;
  const admin = await inOpenAccount(caller.id, deps.organizations.ensureUser(caller.id, now));
  const org = await inOpenAccount(caller.id, deps.organizations.createOrganization({ name: input.name, admin, now, quota: limit }));
  if (org === 'over-quota') throw new QuotaExceededError('organizations', limit);
  return { id: org.organizationID, name: org.name, role: 'admin' as const, createdAt: org.createdAt };
}

/** An admin invites a person by Auth0 user id: an invitation they accept or decline (GET /v1/me lists it). */
export async function inviteMember(deps: Deps, caller: Caller, organizationID: number, input: { userId: string; role: 'admin' | 'member' }) {
  const actor = await deps.organizations.getUser(caller.id);
  await requireMembership(deps, actor, organizationID, { admin: true });
  const org = await deps.organizations.getOrganization(organizationID);
  if (!org) throw new ConflictError('The organisation is gone.', 'organization-gone');
  const now = nowOf(deps);
  const user = await inOpenAccount(caller.id, deps.organizations.ensureUser(input.userId, now));
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

/** The caller's membership row of the organisation their path names, or 404 when they have none. */
async function ownMembership(deps: Deps, caller: Caller, pathId: string) {
  const organizationID = idFromPath(pathId, 'invitation');
  const user = await deps.organizations.getUser(caller.id);
  const member = user ? await deps.organizations.getMember(organizationID, user.userID) : undefined;
  if (!user || !member) throw new NotFoundError('No invitation to this organisation.');
  return { user, member };
}

/** The invitee accepts: from now on a member, still without consent. Accepting again answers the membership. */
export async function acceptInvitation(deps: Deps, caller: Caller, pathId: string) {
  const { user, member } = await ownMembership(deps, caller, pathId);
  let current = member;
  if (!isAcceptedMember(member)) {
    await deps.organizations.acceptInvitation({ organizationID: member.organizationID, userID: user.userID, sub: user.sub }, nowOf(deps));
    // Read back: a concurrent accept was first (fine), or the invitation was declined meanwhile (gone).
    const after = await deps.organizations.getMember(member.organizationID, user.userID);
    if (!isAcceptedMember(after)) throw new NotFoundError('No invitation to this organisation.');
    current = after;
  }
  const org = await deps.organizations.getOrganization(member.organizationID);
  return membershipView({ organizationID: current.organizationID, name: org?.name ?? '', role: current.role, allowAdmins: current.allowAdmins });
}

/** The invitee declines: the invitation goes. A membership already accepted is no invitation (404). */
export async function declineInvitation(deps: Deps, caller: Caller, pathId: string): Promise<void> {
  const { user, member } = await ownMembership(deps, caller, pathId);
  if (isAcceptedMember(member) || !(await deps.organizations.declineInvitation({ organizationID: member.organizationID, userID: user.userID, sub: user.sub }))) {
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
  const accepted = (await deps.organizations.membershipsOf(caller.id)).filter((m) => m.status === 'active');
  const targets = input.organizationID === undefined ? accepted : accepted.filter((m) => m.organizationID === input.organizationID);
  if (input.organizationID !== undefined && targets.length === 0) throw new NotFoundError('No organisation with this id.');
  // The caller's own integer id, allocated now if they have none (only when nothing is refused).
  const user = await inOpenAccount(caller.id, deps.organizations.ensureUser(caller.id, nowOf(deps)));
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
