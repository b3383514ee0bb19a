// Organisations of the hotline service: creating one (the caller becomes its admin; at most
// `organizationsPerUser` per creator, else 409 quota-organizations), adding members by Auth0 user id
// (admins only; the member's integer user id is allocated once; never into an account deleted or being
// deleted, 409 user-account-deleted), and a member's consent that organisation admins act on their
// resources.
import type { OrganizationsRepository } from '../db/organizations';
import { ConflictError } from '../errors';
import type { Caller } from '../model/caller';
import { inOpenAccount } from './account-state';
import { requireMembership } from './hotline-access';
import { QuotaExceededError } from './quotas';

export const MEMBER_EXISTS = 'member-exists';

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

export async function addMember(deps: Deps, caller: Caller, organizationID: number, input: { userId: string; role: 'admin' | 'member' }) {
  const actor = await deps.organizations.getUser(caller.id);
  await requireMembership(deps, actor, organizationID, { admin: true });
  const org = await deps.organizations.getOrganization(organizationID);
  if (!org) throw new ConflictError('The organisation is gone.', 'organization-gone');
  const now = nowOf(deps);
  const user = await inOpenAccount(caller.id, deps.organizations.ensureUser(input.userId, now));
  const added = await inOpenAccount(caller.id, deps.organizations.addMember({ organizationID, userID: user.userID, sub: user.sub, role: input.role, addedAt: now }, org.name));
  if (!added) throw new ConflictError('This user is a member of the organisation already.', MEMBER_EXISTS);
  return { organizationID, userID: user.userID, role: input.role };
}

export async function setOrganizationAccess(deps: Deps, caller: Caller, allow: boolean) {
  const user = await inOpenAccount(caller.id, deps.organizations.ensureUser(caller.id, nowOf(deps)));
  await deps.organizations.setConsent(caller.id, allow);
  return { userID: user.userID, allow };
}
