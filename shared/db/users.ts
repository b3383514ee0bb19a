// Users: everything under USER#<auth0 sub>. The settings row is created on the first authenticated
// call; the profile is one Query over the user's partition. The row's `email` is the address in use
// and `emailVerified` says whether Auth0 or a confirmation link verified it; a changed address waits
// on the same row (`pendingEmail...`) until its link is used. Of the link's token only the SHA-256 is
// stored; the sendEmailConfirmation worker reacts to a new `pendingEmailRequestedAt`.
import { createHash } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TranscriptStorage } from '../config/retention';
import type { AssistantRow } from './assistants';
import type { TableRef } from './client';
import type { ItemRead } from './get-items';
import { queryAll } from './query-all';
import { applied, isConditionFailure } from './conditional';
import { NUMBER_RELEASE_KEYS, type NumberReleaseRow } from './number-releases';
import { HOTLINE_USER_SK_PREFIX } from './organizations';
import { putIfAbsent } from './put-if-absent';
import { POOL_LINE_SK, POOL_WAITING_SK, type PoolLineRow, type PoolWaitingRow } from './pool';
import type { SubscriptionRow } from './subscriptions';
import { TEARDOWN_SK, type TeardownStatus } from './teardowns';
import { TOOL_SK_PREFIX, toolOf, type ToolRow } from './tools';
import { INTEGRATION_SK_PREFIX, USER_PK_PREFIX, idOfKeyParser, userIdOfPk, userPk } from './keys';

export const SETTINGS_SK = 'SETTINGS';

/** The stream filter of the settings rows (the email confirmation's worker). */
export const SETTINGS_KEYS = { pk: USER_PK_PREFIX, sk: SETTINGS_SK } as const;

/** The keys of a user's settings row. */
export const settingsKey = (userId: string) => ({ pk: userPk(userId), sk: SETTINGS_SK });

/** The settings row, when it exists, read with other rows (shared/db/get-items.ts). */
export const settingsRead = (userId: string): ItemRead<SettingsRow | undefined> => ({
  key: settingsKey(userId),
  of: (item) => (item ? (strip(item) as unknown as SettingsRow) : undefined),
});

/** The user a settings row's keys (a stream record's) name. */
export const settingsIdOfKey = idOfKeyParser<{ userId: string }>(
  'a settings row',
  ({ pk, sk }) => ({ userId: sk === SETTINGS_SK ? userIdOfPk(pk) : undefined }),
  ({ userId }) => settingsKey(userId),
);

/** The hash under which an email confirmation token is stored (hex SHA-256); the token itself never is. */
export const hashConfirmationToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export interface SettingsRow {
  userId: string;
  /** The address in use. */
  email: string | null;
  /** True when Auth0 (`email_verified`) or a confirmation link verified `email`; missing: not verified. */
  emailVerified?: boolean;
  emailVerifiedAt?: string;
  /** A changed address, waiting for its confirmation link; `email` stays in use until then. */
  pendingEmail?: string;
  pendingEmailRequestedAt?: string;
  pendingEmailExpiresAt?: string;
  /** SHA-256 (hex) of the link's token, once the worker drew it. */
  pendingEmailTokenHash?: string;
  /** Mailgun's id of the confirmation email, once sent. */
  pendingEmailMailId?: string;
  pendingEmailSentAt?: string;
  name: string | null;
  /** The customer's company, where known (the admin dashboard lists and searches it). */
  company?: string | null;
  timezone: string;
  locale: string;
  role: 'owner' | 'member';
  ownerId?: string;
  /** Days the account's calls are kept (missing: the stage's default). */
  callRetentionDays?: number;
  /** What of a new call is stored (missing: `full`). */
  transcriptStorage?: TranscriptStorage;
  /**
   * The re-dating of the stored calls after `callRetentionDays` changed (the redateCalls worker): the
   * days, when it was asked for, and the page it has reached (an opaque cursor). Gone once done.
   */
  callRedating?: CallRedating;
  createdAt: string;
  updatedAt: string;
}

export interface CallRedating {
  days: number;
  requestedAt: string;
  after?: string;
}

export interface UserRows {
  settings?: SettingsRow;
  subscription?: SubscriptionRow;
  /** The assistant row, also while its creation is claimed (`status: creating`). */
  assistant?: AssistantRow;
  /** The user's pool number, when one is assigned. */
  poolLine?: PoolLineRow;
  /** Waiting for a pool number (none was free), since when. */
  poolWaiting?: PoolWaitingRow;
  /** The pool number's releases announced for a period's end (shared/db/number-releases.ts), oldest first. */
  numberReleases: NumberReleaseRow[];
  /** Each line ringing the assistant: the pool number, the Sipgate line, the external trunk. */
  integrations: IntegrationSummary[];
  referral?: { partnerId: string; referredAt: string };
  /** How many device sessions the user has (DEVICE# rows). */
  devicesCount: number;
  /** The account's teardown, when one runs (`running`) or ran (`done`: the tombstone). */
  teardown?: TeardownStatus;
  /** The hotline service's rows of the user (shared/db/organizations.ts reads them). */
  hotlineRows: Record<string, unknown>[];
  /** The custom tools attached to the assistant (shared/db/tools.ts). */
  tools: ToolRow[];
}

export interface IntegrationSummary {
  kind: 'pool' | 'sipgate' | 'external';
  number: string;
  /** Pool: `connecting` until bound in Vapi. Own lines: as their row says (shared/db/integrations.ts). */
  state: 'creating' | 'connecting' | 'active' | 'failed';
  createdAt: string;
}


/** The settings row as stored (the local bench writes many at once with it); a team member's also carries its owner's lookup (gsi1 `TEAM#<owner>`). */
export const settingsItem = (settings: SettingsRow) => ({
  ...settingsKey(settings.userId),
  entity: 'settings',
  ...(settings.ownerId ? teamLookup(settings.ownerId, settings.userId) : {}),
  ...settings,
});
const DEVICE_PREFIX = 'DEVICE#';
const MEMBER_PREFIX = 'MEMBER#';
/** A team member's settings row is found from their owner (gsi1). */
const teamLookup = (ownerId: string, userId: string) => ({ gsi1pk: `TEAM#${ownerId}`, gsi1sk: `${MEMBER_PREFIX}${userId}` });

export function usersRepository(t: TableRef) {
  return {
    /** All rows of one user, in one Query, sorted into their kinds (`consistent`: a strongly consistent Query). */
    async loadUser(userId: string, opts: { consistent?: boolean } = {}): Promise<UserRows> {
      const rows = await queryAll<Record<string, unknown>>(t, {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': userPk(userId) },
        ...(opts.consistent ? { ConsistentRead: true } : {}),
      });

      const out: UserRows = { integrations: [], numberReleases: [], devicesCount: 0, hotlineRows: [], tools: [] };
      for (const row of rows) {
        const sk = String(row.sk);
        const data = strip(row);
        if (sk === SETTINGS_SK) out.settings = data as unknown as SettingsRow;
        else if (sk === 'SUBSCRIPTION') out.subscription = data as unknown as SubscriptionRow;
        else if (sk === 'ASSISTANT') out.assistant = data as unknown as AssistantRow;
        else if (sk === TEARDOWN_SK) out.teardown = row.status as TeardownStatus;
        else if (sk === POOL_WAITING_SK) out.poolWaiting = data as unknown as PoolWaitingRow;
        else if (sk === 'REFERRAL') out.referral = data as unknown as UserRows['referral'];
        else if (sk.startsWith(DEVICE_PREFIX)) out.devicesCount++;
        else if (sk.startsWith(NUMBER_RELEASE_KEYS.sk)) out.numberReleases.push(data as unknown as NumberReleaseRow);
        else if (sk.startsWith(HOTLINE_USER_SK_PREFIX)) out.hotlineRows.push(row);
        else if (sk.startsWith(TOOL_SK_PREFIX)) out.tools.push(toolOf(row));
        else if (sk.startsWith(INTEGRATION_SK_PREFIX)) {
          if (sk === POOL_LINE_SK) out.poolLine = data as unknown as PoolLineRow;
          const kind = sk.slice(INTEGRATION_SK_PREFIX.length).toLowerCase() as 'pool' | 'sipgate' | 'external';
          const state = kind === 'pool' ? (row.vapiPhoneNumberId ? 'active' : 'connecting') : (row.state as IntegrationSummary['state']);
          out.integrations.push({ kind, number: String(row.number), state, createdAt: String(row.createdAt) });
        }
      }
      return out;
    },

    /**
     * Creates the settings row unless it exists; returns the row that is stored afterwards. When
     * another request created it first, the failed condition hands back that row itself: a read
     * after the write could be eventually consistent and miss it.
     */
    async createSettingsIfMissing(settings: SettingsRow): Promise<{ created: boolean; settings: SettingsRow }> {
      const outcome = await putIfAbsent<Record<string, unknown>>(t, settingsItem(settings));
      return outcome.created ? { created: true, settings } : { created: false, settings: strip(outcome.existing) as unknown as SettingsRow };
    },

    /**
     * Keeps an address Auth0 verified for the user on their settings, as verified: where the settings
     * have no address, or have this one unverified; never over another address.
     */
    async keepVerifiedEmail(userId: string, email: string, at: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: settingsKey(userId),
            UpdateExpression: 'SET email = :e, emailVerified = :true, emailVerifiedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(email) OR email = :null OR email = :e)',
            ExpressionAttributeValues: { ':e': email, ':null': null, ':true': true, ':at': at },
          }),
        ),
      );
    },

    /**
     * The confirmation worker's claim: the link's token hash, on the pending change it was drawn for
     * (the same request time) and only while no email went out for it; false otherwise.
     */
    async setConfirmationToken(userId: string, requestedAt: string, hash: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: settingsKey(userId),
            UpdateExpression: 'SET pendingEmailTokenHash = :h',
            ConditionExpression: 'pendingEmailRequestedAt = :r AND attribute_not_exists(pendingEmailMailId)',
            ExpressionAttributeValues: { ':h': hash, ':r': requestedAt },
          }),
        ),
      );
    },

    /** Marks the confirmation email sent; false when another token replaced this one (or the change is gone). */
    async markConfirmationSent(userId: string, hash: string, mailId: string, sentAt: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: settingsKey(userId),
            UpdateExpression: 'SET pendingEmailMailId = :id, pendingEmailSentAt = :at',
            ConditionExpression: 'pendingEmailTokenHash = :h AND attribute_not_exists(pendingEmailMailId)',
            ExpressionAttributeValues: { ':h': hash, ':id': mailId, ':at': sentAt },
          }),
        ),
      );
    },

    /**
     * The pending address becomes the verified one in use, in one update conditional on the token's
     * hash and the change not having expired; the settings as stored afterwards, or undefined when
     * the condition failed (another token, expired, confirmed already).
     */
    async confirmPendingEmail(userId: string, hash: string, now: string): Promise<SettingsRow | undefined> {
      try {
        const res = await t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: settingsKey(userId),
            UpdateExpression: `SET email = pendingEmail, emailVerified = :true, emailVerifiedAt = :now, updatedAt = :now REMOVE ${PENDING_FIELDS.join(', ')}`,
            ConditionExpression: 'pendingEmailTokenHash = :h AND pendingEmailExpiresAt > :now',
            ExpressionAttributeValues: { ':h': hash, ':now': now, ':true': true },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return strip(res.Attributes ?? {}) as unknown as SettingsRow;
      } catch (err) {
        if (isConditionFailure(err)) return undefined;
        throw err;
      }
    },

    /**
     * The re-dating's next page (`after`), or its end (`after` undefined: the field is removed), only
     * while the re-dating asked for at `requestedAt` is the row's: false when a newer change replaced it.
     */
    async advanceCallRedating(userId: string, requestedAt: string, after: string | undefined): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: settingsKey(userId),
            UpdateExpression: after === undefined ? 'REMOVE callRedating' : 'SET callRedating.#after = :after',
            ConditionExpression: 'callRedating.requestedAt = :r',
            ExpressionAttributeNames: after === undefined ? undefined : { '#after': 'after' },
            ExpressionAttributeValues: { ':r': requestedAt, ...(after === undefined ? {} : { ':after': after }) },
          }),
        ),
      );
    },

    /** The team members of an owner: the users whose settings carry `ownerId` (gsi1 `TEAM#<owner>`; eventually consistent). */
    async membersOf(ownerId: string): Promise<string[]> {
      const ids: string[] = (await queryAll(t, {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :member)',
        ExpressionAttributeValues: { ':pk': teamLookup(ownerId, '').gsi1pk, ':member': MEMBER_PREFIX },
        ProjectionExpression: 'userId',
      })).map((i) => String(i.userId));
      return ids;
    },

    /** The settings row alone, when it exists (a strongly consistent read; the sign-in alert reads it). */
    async findSettings(userId: string): Promise<SettingsRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: settingsKey(userId), ConsistentRead: true }));
      return res.Item ? (strip(res.Item) as unknown as SettingsRow) : undefined;
    },

    /**
     * The customer's change to their settings, in one UpdateCommand on their own row: SET the given
     * fields and `updatedAt`, and the address as `email` says: in use and verified at once
     * (`verified`: an address Auth0 verified), pending its confirmation link (`pending`: a new request
     * that replaces an earlier one and its token), or the pending change dropped (`keep`: the address
     * in use again). When the row does not exist yet (no GET /v1/me before), the same update creates
     * it: every other field is set to its default only where it is missing (`if_not_exists`), so a
     * stored value is never overwritten by a default. Returns the row as stored afterwards.
     */
    async updateSettings(userId: string, changes: SettingsChanges, defaults: SettingsDefaults, email?: EmailChange): Promise<SettingsRow> {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const sets: string[] = [];
      const removes: string[] = [];
      const given = new Set<string>();
      const set = (field: string, value: unknown) => {
        given.add(field);
        names[`#${field}`] = field;
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      };
      for (const field of SETTINGS_CHANGEABLE) if (changes[field] !== undefined) set(field, changes[field]);
      set('updatedAt', changes.updatedAt);
      if (email?.kind === 'verified') {
        set('email', email.email);
        set('emailVerified', true);
        set('emailVerifiedAt', changes.updatedAt);
      }
      if (email?.kind === 'pending') {
        set('pendingEmail', email.email);
        set('pendingEmailRequestedAt', changes.updatedAt);
        set('pendingEmailExpiresAt', email.expiresAt);
        removes.push(...PENDING_FIELDS.filter((f) => !given.has(f)));
      } else if (email) {
        removes.push(...PENDING_FIELDS);
      }
      const seeds: Record<string, unknown> = { ...defaults, userId, entity: 'settings' };
      for (const [field, value] of Object.entries(seeds)) {
        if (given.has(field)) continue;
        names[`#${field}`] = field;
        values[`:${field}`] = value;
        sets.push(`#${field} = if_not_exists(#${field}, :${field})`);
      }
      const res = await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: settingsKey(userId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip(res.Attributes ?? {}) as unknown as SettingsRow;
    },
  };
}

export type UsersRepository = ReturnType<typeof usersRepository>;

/**
 * The settings a customer sets directly (PATCH /v1/me/settings), and the re-dating a new retention
 * starts (set with it, replacing one still running); the address goes through `EmailChange`.
 */
const SETTINGS_CHANGEABLE = ['name', 'timezone', 'locale', 'callRetentionDays', 'transcriptStorage', 'callRedating'] as const;

/** The fields of a pending address change, all removed when it is confirmed, replaced or dropped. */
const PENDING_FIELDS = [
  'pendingEmail',
  'pendingEmailRequestedAt',
  'pendingEmailExpiresAt',
  'pendingEmailTokenHash',
  'pendingEmailMailId',
  'pendingEmailSentAt',
] as const;

/** A change to the settings: the fields given, and when it happened. */
export type SettingsChanges = Partial<Pick<SettingsRow, (typeof SETTINGS_CHANGEABLE)[number]>> & Pick<SettingsRow, 'updatedAt'>;

/** What a change does to the address: see `updateSettings`. */
export type EmailChange = { kind: 'verified'; email: string } | { kind: 'pending'; email: string; expiresAt: string } | { kind: 'keep' };

/** What a settings row created by a change holds in the fields the change does not name. */
export type SettingsDefaults = Pick<SettingsRow, 'email' | 'emailVerified' | 'name' | 'timezone' | 'locale' | 'role' | 'createdAt'>;

function strip(row: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, entity: _e, ...rest } = row;
  return rest;
}
