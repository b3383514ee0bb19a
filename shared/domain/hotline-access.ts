// Who may act on what in the hotline service. The rule everywhere:
// 1. a user acts on their own resources;
// 2. an organisation admin acts on a member's resources only when the request names the organisation
//    (`organization_id`), the member accepted its invitation and allows that organisation's admins
//    (PUT /v1/me/organization-access, per organisation);
// 3. anyone else gets 403;
// and an organisation the caller is not an accepted member of is indistinguishable from one that does
// not exist (404), as are its hotlines: an invitation gives nothing until it is accepted. Hotlines
// belong to an organisation: its members read them, its admins change them.
import { hotlineRowsOf, type HotlineUserRow, type MemberRow, type OrganizationsRepository } from '../db/organizations';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors';

export const ACCESS_SLUGS = {
  notYours: 'not-your-resource',
  adminRequired: 'organization-admin-required',
  notMember: 'not-a-member',
  consentRequired: 'member-consent-required',
} as const;

/** A path id: a whole number, or nothing of ours (404). */
export function idFromPath(value: string, what: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > 2_147_483_647) throw new NotFoundError(`No ${what} with this id.`);
  return Number(value);
}

/**
 * The `id` a generated client puts in an update's body (seed 003's models carry it): left out, or
 * `0` (the zero value such clients send for an id they do not set), it is ignored; any other value
 * must be the id in the path.
 */
export function checkBodyId(bodyId: number | undefined, pathId: number): void {
  if (bodyId !== undefined && bodyId !== 0 && bodyId !== pathId) {
    throw new ValidationError([{ path: 'body.id', message: `Must be the id in the path (${pathId}), 0 or left out.` }]);
  }
}

/** An accepted membership (an invitation is none yet). */
export const isAcceptedMember = (member: MemberRow | undefined): member is MemberRow & { status: 'active' } => member?.status === 'active';

/**
 * The caller's accepted membership of `organizationID`, or 404 (not a member, only invited, or no such
 * organisation); `admin` also requires the admin role (403).
 */
export async function requireMembership(
  deps: { organizations: OrganizationsRepository },
  caller: HotlineUserRow | undefined,
  organizationID: number,
  opts: { admin?: boolean; notFound?: string } = {},
): Promise<MemberRow> {
  const member = caller ? await deps.organizations.getMember(organizationID, caller.userID) : undefined;
  if (!isAcceptedMember(member)) throw new NotFoundError(opts.notFound ?? 'No organisation with this id.');
  if (opts.admin && member.role !== 'admin') {
    throw new ForbiddenError('Only an admin of the organisation may do this.', ACCESS_SLUGS.adminRequired);
  }
  return member;
}

/**
 * The Auth0 user whose resources `ownerID` names, when the caller may act on them (the rule above);
 * throws 403 or 404 otherwise. Reads only: a refusal writes nothing.
 */
export async function resolveOwner(
  deps: { organizations: OrganizationsRepository },
  callerSub: string,
  ownerID: number,
  organizationID: number | undefined,
): Promise<{ sub: string; userID: number }> {
  const caller = await deps.organizations.getUser(callerSub);
  if (caller && caller.userID === ownerID) return { sub: caller.sub, userID: caller.userID };
  if (organizationID === undefined) {
    throw new ForbiddenError("These are another user's resources; an organisation admin names the organisation (organization_id).", ACCESS_SLUGS.notYours);
  }
  await requireMembership(deps, caller, organizationID, { admin: true });
  const member = await deps.organizations.getMember(organizationID, ownerID);
  // An invitee is not a member yet: inviting someone gives the organisation nothing of theirs.
  if (!isAcceptedMember(member)) throw new ForbiddenError('This user is not a member of the organisation.', ACCESS_SLUGS.notMember);
  if (!member.allowAdmins) {
    throw new ForbiddenError("This member does not allow this organisation's admins to act on their resources.", ACCESS_SLUGS.consentRequired);
  }
  return { sub: member.sub, userID: member.userID };
}

/**
 * What GET /v1/me shows of the hotline service: null until the user has an integer user id. Their
 * accepted memberships, each with its consent; their pending invitations; and `allowOrganizationAdmins`
 * for the clients of the single consent: true when every organisation they are a member of has it.
 */
export function hotlineMembership(rows: Record<string, unknown>[]) {
  const { user, memberships } = hotlineRowsOf(rows);
  if (!user) return null;
  const accepted = memberships.filter((m) => m.status === 'active');
  return {
    userID: user.userID,
    allowOrganizationAdmins: accepted.length > 0 && accepted.every((m) => m.allowAdmins),
    organizations: accepted.map((m) => ({ organizationID: m.organizationID, name: m.name, role: m.role, allowAdmins: m.allowAdmins })),
    invitations: memberships
      .filter((m) => m.status === 'invited')
      .map((m) => ({ organizationID: m.organizationID, name: m.name, role: m.role, invitedAt: m.addedAt ?? null })),
  };
}
