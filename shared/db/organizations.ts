// The hotline service's people and organisations. Integer user ids are allocated once per Auth0 user
// (COUNTER#hotlineUser) and kept on the user's partition, with a reference back from the integer id:
//   USER#<sub> / HOTLINE#USER                 { userID }                                  the user's id
//   HOTLINE_USER#<userID> / REF               { sub, userID }                             id → Auth0 user
//   USER#<sub> / HOTLINE#ORG#<orgId>          { organizationID, name, role, status, allowAdmins }  the user's memberships and invitations (GET /v1/me)
//   ORG#<orgId> / PROFILE                     { organizationID, name, createdBy (user id), createdAt }
//   ORG#<orgId> / MEMBER#<userID>             { organizationID, userID, sub, role, status, allowAdmins }  the organisation's members and invitees
//   ORG#<orgId> / SIP_ACCOUNT                 the organisation's SIP account (a jambonz carrier and gateway)
// A membership is an invitation (`status: invited`) until the person accepts it (`active`); the two rows
// of one membership change together, in one transaction each time. `allowAdmins` is the member's consent,
// per organisation, that its admins act on their resources (and ring their phones for its hotlines):
// off until the member gives it, and only on an accepted membership. Rows written before invitations
// existed have neither field: they count as accepted, without consent.
// Rows of a user: everything under USER#<sub>, HOTLINE_USER#<userID>, and ORG#*/MEMBER#<userID>.
// Every transaction that writes a user's rows holds only while that user has no teardown record
// (`accountOpenCheck`; refused: AccountClosedError), and a new organisation counts against its
// creator's quota (shared/db/quotas.ts) in the same transaction.
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { AccountClosedError } from '../errors';
import { applied, cancellationReasons, conditionFailed, retryingConflicts } from './conditional';
import { nextId, padId } from './counters';
import { putIfAbsent } from './put-if-absent';
import { queryAll } from './query-all';
import type { ItemRead } from './get-items';
import { afterPrefix, idOfKeyParser, userPk } from './keys';
import { quotaCountRead, quotaReached, quotaTake } from './quotas';
import { accountOpenCheck } from './teardowns';

export type OrganizationRole = 'admin' | 'member';
/** `invited` until the person accepts, then `active`. */
export type MembershipStatus = 'invited' | 'active';

export interface HotlineUserRow {
  userID: number;
  sub: string;
  createdAt: string;
}

export interface OrganizationRow {
  organizationID: number;
  name: string;
  /** The integer user id of the admin who created it (not the Auth0 id: an organisation outlives an account). */
  createdBy: number;
  createdAt: string;
}

export interface MemberRow {
  organizationID: number;
  userID: number;
  sub: string;
  role: OrganizationRole;
  status: MembershipStatus;
  /** The member's consent that the organisation's admins act on their resources. */
  allowAdmins: boolean;
  /** When the person was added (invited, or made the first admin). */
  addedAt: string;
  acceptedAt?: string;
}

export interface MembershipRow {
  organizationID: number;
  name: string;
  role: OrganizationRole;
  status: MembershipStatus;
  allowAdmins: boolean;
  addedAt?: string;
}

/** The people of one membership: the organisation, the member's integer id and Auth0 id (both rows' keys). */
export interface MembershipRef {
  organizationID: number;
  userID: number;
  sub: string;
}

export interface SipAccountRow {
  organizationID: number;
  name: string;
  street: string;
  streetHousenumber: number;
  cityCode: string;
  city: string;
  country: string;
  /** `creating` while the carrier and gateway are made (a claim), then `active`. */
  status: 'creating' | 'active';
  carrierSid?: string;
  gatewaySid?: string;
  createdAt: string;
}

/** The sort-key prefix of the hotline rows under USER#<sub> (the profile picks them out of the user's partition). */
export const HOTLINE_USER_SK_PREFIX = 'HOTLINE#';
export const HOTLINE_USER_SK = 'HOTLINE#USER';
const USER_SK = HOTLINE_USER_SK;
export const MEMBERSHIP_SK_PREFIX = 'HOTLINE#ORG#';
export const ORG_PK_PREFIX = 'ORG#';
export const HOTLINE_USER_REF_PREFIX = 'HOTLINE_USER#';

/** The member rows' sort keys (the ring lists' worker watches them). */
export const MEMBER_SK_PREFIX = 'MEMBER#';
const userKey = (sub: string) => ({ pk: userPk(sub), sk: USER_SK });
const userRefKey = (userID: number) => ({ pk: `${HOTLINE_USER_REF_PREFIX}${userID}`, sk: 'REF' });
const membershipKey = (sub: string, organizationID: number) => ({ pk: userPk(sub), sk: `${MEMBERSHIP_SK_PREFIX}${padId(organizationID)}` });
const orgKey = (organizationID: number) => ({ pk: `${ORG_PK_PREFIX}${organizationID}`, sk: 'PROFILE' });
const memberKey = (organizationID: number, userID: number) => ({ pk: `${ORG_PK_PREFIX}${organizationID}`, sk: `${MEMBER_SK_PREFIX}${padId(userID)}` });
const sipKey = (organizationID: number) => ({ pk: `${ORG_PK_PREFIX}${organizationID}`, sk: 'SIP_ACCOUNT' });

/** The membership a member row's keys (a stream record's) name. */
export const memberIdOfKey = /* @__PURE__ */ idOfKeyParser<{ organizationID: number; userID: number }>(
  'an organisation member',
  ({ pk, sk }) => {
    const org = afterPrefix(pk, ORG_PK_PREFIX);
    const user = afterPrefix(sk, MEMBER_SK_PREFIX);
    const int = (v: string | undefined) => (v && /^[0-9]+$/.test(v) ? Number(v) : undefined);
    return { organizationID: int(org), userID: int(user) };
  },
  ({ organizationID, userID }) => memberKey(organizationID, userID),
);

const notExists = 'attribute_not_exists(pk)';
/** The row is an invitation. */
const isInvitation = { expression: '#s = :invited', names: { '#s': 'status' }, values: { ':invited': 'invited' } } as const;
/** The row is an accepted membership (one from before invitations has no status). */
const isAccepted = {
  expression: 'attribute_exists(pk) AND (attribute_not_exists(#s) OR #s = :active)',
  names: { '#s': 'status' },
  values: { ':active': 'active' },
} as const;

/** A member row as the domain reads it: a row from before invitations is accepted, without consent. */
const memberOf = (item: Record<string, unknown>): MemberRow => ({
  organizationID: Number(item.organizationID),
  userID: Number(item.userID),
  sub: String(item.sub),
  role: item.role === 'admin' ? 'admin' : 'member',
  status: item.status === 'invited' ? 'invited' : 'active',
  allowAdmins: item.allowAdmins === true,
  addedAt: String(item.addedAt),
  ...(typeof item.acceptedAt === 'string' ? { acceptedAt: item.acceptedAt } : {}),
});

const membershipOf = (item: Record<string, unknown>): MembershipRow => ({
  organizationID: Number(item.organizationID),
  name: String(item.name),
  role: item.role === 'admin' ? 'admin' : 'member',
  status: item.status === 'invited' ? 'invited' : 'active',
  allowAdmins: item.allowAdmins === true,
  ...(typeof item.addedAt === 'string' ? { addedAt: item.addedAt } : {}),
});

/** The member or invitee `userID` of the organisation, read with other rows (shared/db/get-items.ts). */
export const memberRead = (organizationID: number, userID: number): ItemRead<MemberRow | undefined> => ({
  key: memberKey(organizationID, userID),
  of: (item) => (item ? memberOf(item) : undefined),
});

/** The user's own row of their membership of (or invitation to) the organisation, read with other rows. */
export const membershipRead = (sub: string, organizationID: number): ItemRead<MembershipRow | undefined> => ({
  key: membershipKey(sub, organizationID),
  of: (item) => (item ? membershipOf(item) : undefined),
});

/** The organisation, read with other rows. */
export const organizationRead = (organizationID: number): ItemRead<OrganizationRow | undefined> => ({
  key: orgKey(organizationID),
  of: (item) => item as OrganizationRow | undefined,
});

/** How many organisations the user created (their quota's count), read with other rows. */
export const organizationsCountRead = (sub: string): ItemRead<number> => quotaCountRead(userPk(sub), 'organizations');

/** The organisation's SIP account, read with other rows. */
export const sipAccountRead = (organizationID: number): ItemRead<SipAccountRow | undefined> => ({
  key: sipKey(organizationID),
  of: (item) => item as SipAccountRow | undefined,
});

/** The user's integer id row, read with other rows. */
export const hotlineUserRead = (sub: string): ItemRead<HotlineUserRow | undefined> => ({
  key: userKey(sub),
  of: (item) => item as HotlineUserRow | undefined,
});

/** The hotline rows among a user's partition (from the profile's one Query): their id, memberships and invitations. */
export function hotlineRowsOf(rows: Record<string, unknown>[]): { user?: HotlineUserRow; memberships: MembershipRow[] } {
  const out: { user?: HotlineUserRow; memberships: MembershipRow[] } = { memberships: [] };
  for (const row of rows) {
    const sk = String(row.sk);
    if (sk === USER_SK) out.user = row as unknown as HotlineUserRow;
    else if (sk.startsWith(MEMBERSHIP_SK_PREFIX)) out.memberships.push(membershipOf(row));
  }
  return out;
}

export function organizationsRepository(t: TableRef) {
  const get = async <T>(Key: Record<string, string>): Promise<T | undefined> =>
    (await t.doc.send(new GetCommand({ TableName: t.tableName, Key, ConsistentRead: true }))).Item as T | undefined;

  const repo = {
    getUser: (sub: string) => get<HotlineUserRow>(userKey(sub)),

    /** The user's integer id, allocated on the first call (once: a second allocation loses its transaction). */
    async ensureUser(sub: string, now: string): Promise<HotlineUserRow> {
      return (await repo.getUser(sub)) ?? repo.createUser(sub, now);
    },

    /** Allocates the integer id of a user who had none when read (`hotlineUserRead`); a concurrent allocation's row when it was first. */
    async createUser(sub: string, now: string): Promise<HotlineUserRow> {
      const userID = await nextId(t, 'hotlineUser');
      const row: HotlineUserRow = { userID, sub, createdAt: now };
      const open = accountOpenCheck(t, sub);
      const items = [
        { Put: { TableName: t.tableName, Item: { ...userKey(sub), entity: 'hotlineUser', ...row }, ConditionExpression: notExists } },
        { Put: { TableName: t.tableName, Item: { ...userRefKey(userID), entity: 'hotlineUserRef', sub, userID }, ConditionExpression: notExists } },
        open,
      ];
      try {
        await retryingConflicts(() => t.doc.send(new TransactWriteCommand({ TransactItems: items })));
        return row;
      } catch (err) {
        if (!cancellationReasons(err)) throw err;
        if (conditionFailed(err, items, open)) throw new AccountClosedError(sub);
        const winner = await repo.getUser(sub);
        if (!winner) throw err;
        return winner;
      }
    },

    /** The member or invitee `userID` of the organisation. */
    async getMember(organizationID: number, userID: number): Promise<MemberRow | undefined> {
      const item = await get<Record<string, unknown>>(memberKey(organizationID, userID));
      return item ? memberOf(item) : undefined;
    },

    /** The user's memberships and invitations, by organisation (one Query over their partition). */
    async membershipsOf(sub: string): Promise<MembershipRow[]> {
      const items = await queryAll(t, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': userPk(sub), ':sk': MEMBERSHIP_SK_PREFIX },
        ConsistentRead: true,
      });
      return items.map(membershipOf);
    },

    /**
     * What an organisation's admin may take in their data export: its profile, its SIP account (the
     * address it is registered under) and its members by their integer ids and roles (never another
     * person's Auth0 id).
     */
    async organizationForExport(organizationID: number): Promise<Record<string, unknown>> {
      const items = await queryAll(t, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${ORG_PK_PREFIX}${organizationID}` }, ConsistentRead: true });
      const profile = items.find((i) => i.sk === 'PROFILE');
      const sip = items.find((i) => i.sk === 'SIP_ACCOUNT');
      const members = items.filter((i) => String(i.sk).startsWith('MEMBER#')).map(memberOf);
      return {
        ...(profile ? { organizationID: profile.organizationID, name: profile.name, createdBy: profile.createdBy, createdAt: profile.createdAt } : { organizationID }),
        sipAccount: sip
          ? { name: sip.name, street: sip.street, streetHousenumber: sip.streetHousenumber, cityCode: sip.cityCode, city: sip.city, country: sip.country, status: sip.status, createdAt: sip.createdAt }
          : null,
        members: members.map((m) => ({ userID: m.userID, role: m.role, status: m.status, addedAt: m.addedAt })),
      };
    },

    /**
     * A new organisation with `admin` as its first admin (accepted, without consent until they give
     * it), in one transaction that also counts it against the admin's quota of `quota` organisations:
     * 'over-quota' (nothing written) when they have made that many.
     */
    async createOrganization(input: { name: string; admin: HotlineUserRow; now: string; quota: number; used?: number }): Promise<OrganizationRow | 'over-quota'> {
      // The count as the caller read it (`organizationsCountRead`), else read here; the take's condition decides a race.
      if (input.used !== undefined ? input.used >= input.quota : await quotaReached(t, userPk(input.admin.sub), 'organizations', input.quota)) return 'over-quota';
      const organizationID = await nextId(t, 'organization');
      const org: OrganizationRow = { organizationID, name: input.name, createdBy: input.admin.userID, createdAt: input.now };
      const member: MemberRow = {
        organizationID,
        userID: input.admin.userID,
        sub: input.admin.sub,
        role: 'admin',
        status: 'active',
        allowAdmins: false,
        addedAt: input.now,
        acceptedAt: input.now,
      };
      const counted = quotaTake(t, userPk(input.admin.sub), 'organizations', input.quota);
      const open = accountOpenCheck(t, member.sub);
      const items = [
        { Put: { TableName: t.tableName, Item: { ...orgKey(organizationID), entity: 'organization', ...org }, ConditionExpression: notExists } },
        ...membershipPuts(t, member, input.name),
        open,
        counted,
      ];
      try {
        await retryingConflicts(() => t.doc.send(new TransactWriteCommand({ TransactItems: items })));
      } catch (err) {
        if (conditionFailed(err, items, open)) throw new AccountClosedError(member.sub);
        if (conditionFailed(err, items, counted)) return 'over-quota';
        throw err;
      }
      return org;
    },

    /**
     * Invites a person (their membership rows as `invited`, without consent); false when they are a
     * member or invited already. AccountClosedError when their account is deleted or being deleted.
     */
    async invite(invitee: MembershipRef & { role: OrganizationRole; invitedAt: string }, organizationName: string): Promise<boolean> {
      const member: MemberRow = {
        organizationID: invitee.organizationID,
        userID: invitee.userID,
        sub: invitee.sub,
        role: invitee.role,
        status: 'invited',
        allowAdmins: false,
        addedAt: invitee.invitedAt,
      };
      const open = accountOpenCheck(t, member.sub);
      const items = [...membershipPuts(t, member, organizationName), open];
      try {
        await retryingConflicts(() => t.doc.send(new TransactWriteCommand({ TransactItems: items })));
        return true;
      } catch (err) {
        if (conditionFailed(err, items, open)) throw new AccountClosedError(member.sub);
        if (cancellationReasons(err)?.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
        throw err;
      }
    },

    /** The invitee accepts: both rows become an accepted membership (consent stays off); false when there was no invitation. */
    async acceptInvitation(ref: MembershipRef, at: string): Promise<boolean> {
      const update = (Key: Record<string, string>) => ({
        Update: {
          TableName: t.tableName,
          Key,
          UpdateExpression: 'SET #s = :active, acceptedAt = :at',
          ConditionExpression: isInvitation.expression,
          ExpressionAttributeNames: { ...isInvitation.names },
          ExpressionAttributeValues: { ...isInvitation.values, ':active': 'active', ':at': at },
        },
      });
      return transactApplied(t, [update(memberKey(ref.organizationID, ref.userID)), update(membershipKey(ref.sub, ref.organizationID))]);
    },

    /** The invitee declines: both rows go; false when there was no invitation (an accepted membership stays). */
    async declineInvitation(ref: MembershipRef): Promise<boolean> {
      const remove = (Key: Record<string, string>) => ({
        Delete: {
          TableName: t.tableName,
          Key,
          ConditionExpression: isInvitation.expression,
          ExpressionAttributeNames: { ...isInvitation.names },
          ExpressionAttributeValues: { ...isInvitation.values },
        },
      });
      return transactApplied(t, [remove(memberKey(ref.organizationID, ref.userID)), remove(membershipKey(ref.sub, ref.organizationID))]);
    },

    /** The member's consent for this organisation's admins, on both rows; false when the membership is not an accepted one. */
    async setMemberConsent(ref: MembershipRef, allow: boolean): Promise<boolean> {
      const update = (Key: Record<string, string>) => ({
        Update: {
          TableName: t.tableName,
          Key,
          UpdateExpression: 'SET allowAdmins = :a',
          ConditionExpression: isAccepted.expression,
          ExpressionAttributeNames: { ...isAccepted.names },
          ExpressionAttributeValues: { ...isAccepted.values, ':a': allow },
        },
      });
      return transactApplied(t, [update(memberKey(ref.organizationID, ref.userID)), update(membershipKey(ref.sub, ref.organizationID))]);
    },

    getSipAccount: (organizationID: number) => get<SipAccountRow>(sipKey(organizationID)),
    /** Claims the organisation's SIP account before the provider calls; the row that holds it when taken. */
    claimSipAccount: (row: SipAccountRow) => putIfAbsent<SipAccountRow>(t, { ...sipKey(row.organizationID), entity: 'sipAccount', ...row }),
    async activateSipAccount(organizationID: number, sids: { carrierSid: string; gatewaySid: string }): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: sipKey(organizationID),
            UpdateExpression: 'SET #s = :active, carrierSid = :c, gatewaySid = :g',
            ConditionExpression: '#s = :creating',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':active': 'active', ':creating': 'creating', ':c': sids.carrierSid, ':g': sids.gatewaySid },
          }),
        ),
      );
    },
    /** Gives a claim back after a provider failure (only while it is still a claim). */
    async releaseSipAccount(organizationID: number): Promise<void> {
      await applied(
        t.doc.send(
          new DeleteCommand({
            TableName: t.tableName,
            Key: sipKey(organizationID),
            ConditionExpression: '#s = :creating',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':creating': 'creating' },
          }),
        ),
      );
    },
  };
  return repo;
}

/** Runs a transaction of conditional writes: false when a condition failed. */
async function transactApplied(t: TableRef, TransactItems: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<boolean> {
  try {
    await t.doc.send(new TransactWriteCommand({ TransactItems }));
    return true;
  } catch (err) {
    if (cancellationReasons(err)?.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
    throw err;
  }
}

function membershipPuts(t: TableRef, member: MemberRow, organizationName: string) {
  const membership: MembershipRow = {
    organizationID: member.organizationID,
    name: organizationName,
    role: member.role,
    status: member.status,
    allowAdmins: member.allowAdmins,
    addedAt: member.addedAt,
  };
  return [
    { Put: { TableName: t.tableName, Item: { ...memberKey(member.organizationID, member.userID), entity: 'organizationMember', ...member }, ConditionExpression: notExists } },
    { Put: { TableName: t.tableName, Item: { ...membershipKey(member.sub, member.organizationID), entity: 'organizationMembership', ...membership }, ConditionExpression: notExists } },
  ];
}

export type OrganizationsRepository = ReturnType<typeof organizationsRepository>;

/**
 * The rows outside USER#<sub> that name the user, found from the user's partition rows: the id's
 * reference and each member row of the organisations (invitations too). An account's teardown deletes
 * them with the partition.
 */
export function hotlineRowsNamingUser(partition: { sk: string; [k: string]: unknown }[]): { pk: string; sk: string }[] {
  const user = partition.find((r) => r.sk === USER_SK);
  if (typeof user?.userID !== 'number') return [];
  const userID = user.userID;
  return [
    userRefKey(userID),
    ...partition.filter((r) => r.sk.startsWith(MEMBERSHIP_SK_PREFIX) && typeof r.organizationID === 'number').map((r) => memberKey(r.organizationID as number, userID)),
  ];
}
