// Who may act on what in the hotline service. The rule everywhere:
// 1. a user acts on their own resources;
// 2. an organisation admin acts on a member's resources only when the request names the organisation
//    (`organization_id`), the member accepted its invitation and allows that organisation's admins
//    (PUT /v1/me/organization-access, per organisation);
// 3. anyone else gets 403;
// and an organisation the caller is not an accepted member of is indistinguishable from one that does
// not exist (404), as are its hotlines: an invitation gives nothing until it is accepted. Hotlines
// belong to an organisation: its members read them, its admins change them.
import type { ReadResults, Reads, ReadTogether } from '../db/get-items';
import { hotlineRowsOf, hotlineUserRead, memberRead, membershipRead, type HotlineUserRow, type MemberRow, type MembershipRow, type MembershipStatus, type OrganizationRole } from '../db/organizations';
import { accountStateRead, type TeardownStatus } from '../db/teardowns';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { assertAccountOpen } from './account-state';

export const ACCESS_SLUGS = {
  notYours: 'not-your-resource',
  adminRequired: 'organization-admin-required',
  notMember: 'not-a-member',
  consentRequired: 'member-consent-required',
} as const;

/** A path id: a whole number, or nothing of ours (404). */
export function idFromPath(value: string, what: string): number {
  const id = pathIdOrZero(value);
  if (!id) throw new NotFoundError(`No ${what} with this id.`);
  return id;
}

/**
 * A path id as `idFromPath` takes it, or 0 for any other value (no row has id 0): a route whose first
 * read checks the caller's account reads with it, so that a closed account is refused whatever the
 * path, and answers `idFromPath`'s 404 after.
 */
export const pathIdOrZero = (value: string): number => (/^[1-9][0-9]{0,9}$/.test(value) && Number(value) <= 2_147_483_647 ? Number(value) : 0);

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
 * The rows a hotline route decides on, read in one strongly consistent request with the caller's
 * account state and integer id row (`user`): the route's account gate, folded into its first read
 * (`accountState: 'in-partition-read'` in its manifest entry), refused as the stack's gate refuses.
 */
export async function readAsCaller<R extends Reads>(deps: { read: ReadTogether }, callerId: string, reads: R) {
  const got = (await deps.read({ ...reads, account: accountStateRead(callerId), user: hotlineUserRead(callerId) })) as ReadResults<R> & {
    account: TeardownStatus | undefined;
    user: HotlineUserRow | undefined;
  };
  assertAccountOpen(got.account);
  return got;
}

/**
 * Either row of the caller's membership (the organisation's member row, or their own: they change
 * together) as an accepted membership, or 404 (not a member, only invited, or no such organisation);
 * `admin` also requires the admin role (403).
 */
export function acceptedMembership<M extends { status: MembershipStatus; role: OrganizationRole }>(
  member: M | undefined,
  opts: { admin?: boolean; notFound?: string } = {},
): M {
  if (member?.status !== 'active') throw new NotFoundError(opts.notFound ?? 'No organisation with this id.');
  if (opts.admin && member.role !== 'admin') {
    throw new ForbiddenError('Only an admin of the organisation may do this.', ACCESS_SLUGS.adminRequired);
  }
  return member;
}

/** What deciding about another user's resources reads: the caller's membership and the owner's member row in the organisation named. */
export const ownerReads = (callerId: string, ownerID: number, organizationID: number) => ({
  membership: membershipRead(callerId, organizationID),
  owner: memberRead(organizationID, ownerID),
});

/**
 * The Auth0 user whose resources `ownerID` names, when the caller may act on them (the rule above),
 * from the rows `ownerReads` names (and the caller's `user`); throws 403 or 404 otherwise.
 */
export function ownerOf(
  rows: { user?: HotlineUserRow; membership?: MembershipRow; owner?: MemberRow },
  ownerID: number,
  organizationID: number | undefined,
): { sub: string; userID: number } {
  const caller = rows.user;
  if (caller && caller.userID === ownerID) return { sub: caller.sub, userID: caller.userID };
  if (organizationID === undefined) {
    throw new ForbiddenError("These are another user's resources; an organisation admin names the organisation (organization_id).", ACCESS_SLUGS.notYours);
  }
  acceptedMembership(caller ? rows.membership : undefined, { admin: true });
  const member = rows.owner;
  // An invitee is not a member yet: inviting someone gives the organisation nothing of theirs.
  if (!isAcceptedMember(member)) throw new ForbiddenError('This user is not a member of the organisation.', ACCESS_SLUGS.notMember);
  if (!member.allowAdmins) {
    throw new ForbiddenError("This member does not allow this organisation's admins to act on their resources.", ACCESS_SLUGS.consentRequired);
  }
  return { sub: member.sub, userID: member.userID };
}

/**
 * The Auth0 user whose resources `ownerID` names, when the caller may act on them: one read (with the
 * caller's account: the route's gate). Reads only: a refusal writes nothing.
 */
export async function resolveOwner(deps: { read: ReadTogether }, callerId: string, ownerID: number, organizationID: number | undefined) {
  return ownerOf(await ownerRows(deps, callerId, ownerID, organizationID), ownerID, organizationID);
}

/** The rows `ownerOf` decides on, in one read with the caller's account (the route's gate). */
export const ownerRows = (deps: { read: ReadTogether }, callerId: string, ownerID: number, organizationID: number | undefined) =>
  organizationID === undefined ? readAsCaller(deps, callerId, {}) : readAsCaller(deps, callerId, ownerReads(callerId, ownerID, organizationID));

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
