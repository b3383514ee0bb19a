// The hotline service's people and organisations. Integer user ids are allocated once per Auth0 user
// (COUNTER#hotlineUser) and kept on the user's partition, with a reference back from the integer id:
//   USER#<sub> / HOTLINE#USER                 { userID, allowOrganizationAdmins }  the user's id and consent
//   HOTLINE_USER#<userID> / REF               { sub, userID }                      id → Auth0 user
//   USER#<sub> / HOTLINE#ORG#<orgId>          { organizationID, name, role }       the user's memberships (GET /v1/me)
//   ORG#<orgId> / PROFILE                     { organizationID, name, createdBy (user id), createdAt }
//   ORG#<orgId> / MEMBER#<userID>             { organizationID, userID, sub, role } the organisation's members
//   ORG#<orgId> / SIP_ACCOUNT                 the organisation's SIP account (a jambonz carrier and gateway)
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
import { userPk } from './keys';
import { quotaReached, quotaTake } from './quotas';
import { accountOpenCheck } from './teardowns';

export type OrganizationRole = 'admin' | 'member';

export interface HotlineUserRow {
  userID: number;
  sub: string;
  allowOrganizationAdmins: boolean;
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
  addedAt: string;
}

export interface MembershipRow {
  organizationID: number;
  name: string;
  role: OrganizationRole;
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
const USER_SK = 'HOTLINE#USER';
const MEMBERSHIP_SK_PREFIX = 'HOTLINE#ORG#';
export const ORG_PK_PREFIX = 'ORG#';
export const HOTLINE_USER_REF_PREFIX = 'HOTLINE_USER#';

const userKey = (sub: string) => ({ pk: userPk(sub), sk: USER_SK });
const userRefKey = (userID: number) => ({ pk: `${HOTLINE_USER_REF_PREFIX}${userID}`, sk: 'REF' });
const membershipKey = (sub: string, organizationID: number) => ({ pk: userPk(sub), sk: `${MEMBERSHIP_SK_PREFIX}${padId(organizationID)}` });
const orgKey = (organizationID: number) => ({ pk: `${ORG_PK_PREFIX}${organizationID}`, sk: 'PROFILE' });
const memberKey = (organizationID: number, userID: number) => ({ pk: `${ORG_PK_PREFIX}${organizationID}`, sk: `MEMBER#${padId(userID)}` });
const sipKey = (organizationID: number) => ({ pk: `${ORG_PK_PREFIX}${organizationID}`, sk: 'SIP_ACCOUNT' });

const notExists = 'attribute_not_exists(pk)';

/** The hotline rows among a user's partition (from the profile's one Query): their id, consent and memberships. */
export function hotlineRowsOf(rows: Record<string, unknown>[]): { user?: HotlineUserRow; memberships: MembershipRow[] } {
  const out: { user?: HotlineUserRow; memberships: MembershipRow[] } = { memberships: [] };
  for (const row of rows) {
    const sk = String(row.sk);
    if (sk === USER_SK) out.user = row as unknown as HotlineUserRow;
    else if (sk.startsWith(MEMBERSHIP_SK_PREFIX)) out.memberships.push(row as unknown as MembershipRow);
  }
  return out;
}

export function organizationsRepository(t: TableRef) {
  const get = async <T>(Key: Record<string, string>): Promise<T | undefined> =>
    (await t.doc.send(new GetCommand({ TableName: t.tableName, Key, ConsistentRead: true }))).Item as T | undefined;

  const repo = {
    getUser: (sub: string) => get<HotlineUserRow>(userKey(sub)),
    /** The Auth0 user behind an integer user id. */
    getUserById: (userID: number) => get<{ sub: string; userID: number }>(userRefKey(userID)),

    /** The user's integer id, allocated on the first call (once: a second allocation loses its transaction). */
    async ensureUser(sub: string, now: string): Promise<HotlineUserRow> {
      const existing = await repo.getUser(sub);
      if (existing) return existing;
      const userID = await nextId(t, 'hotlineUser');
      const row: HotlineUserRow = { userID, sub, allowOrganizationAdmins: false, createdAt: now };
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

    async setConsent(sub: string, allow: boolean): Promise<void> {
      await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: userKey(sub),
          UpdateExpression: 'SET allowOrganizationAdmins = :a',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':a': allow },
        }),
      );
    },

    getOrganization: (organizationID: number) => get<OrganizationRow>(orgKey(organizationID)),
    getMember: (organizationID: number, userID: number) => get<MemberRow>(memberKey(organizationID, userID)),

    /**
     * A new organisation with `admin` as its first admin, in one transaction that also counts it
     * against the admin's quota of `quota` organisations: 'over-quota' (nothing written) when they
     * have made that many.
     */
    async createOrganization(input: { name: string; admin: HotlineUserRow; now: string; quota: number }): Promise<OrganizationRow | 'over-quota'> {
      if (await quotaReached(t, userPk(input.admin.sub), 'organizations', input.quota)) return 'over-quota';
      const organizationID = await nextId(t, 'organization');
      const org: OrganizationRow = { organizationID, name: input.name, createdBy: input.admin.userID, createdAt: input.now };
      const member: MemberRow = { organizationID, userID: input.admin.userID, sub: input.admin.sub, role: 'admin', addedAt: input.now };
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

    /** Adds a member; false when they are one already. AccountClosedError when their account is deleted or being deleted. */
    async addMember(member: MemberRow, organizationName: string): Promise<boolean> {
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

function membershipPuts(t: TableRef, member: MemberRow, organizationName: string) {
  const membership: MembershipRow = { organizationID: member.organizationID, name: organizationName, role: member.role };
  return [
    { Put: { TableName: t.tableName, Item: { ...memberKey(member.organizationID, member.userID), entity: 'organizationMember', ...member }, ConditionExpression: notExists } },
    { Put: { TableName: t.tableName, Item: { ...membershipKey(member.sub, member.organizationID), entity: 'organizationMembership', ...membership }, ConditionExpression: notExists } },
  ];
}

export type OrganizationsRepository = ReturnType<typeof organizationsRepository>;

/**
 * The rows outside USER#<sub> that name the user, found from the user's partition rows: the id's
 * reference and each membership row of the organisations. An account's teardown deletes them with the
 * partition.
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
