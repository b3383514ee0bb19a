// Users for the integration tests, made unique per call (a new Auth0 id and email each time, so files
// that share a worker's stack never meet each other's rows), and the reads of one user's partition
// that take the place of whole-table scans. The token is minted by the stack's Auth0 emulator; the
// rows are written through the API where a test is about the route, through the repositories where
// they are only the starting point.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { userPk } from '../../shared/db/keys';
import { queryAll } from '../../shared/db/query-all';
import { subscriptionsRepository, type SubscriptionRow } from '../../shared/db/subscriptions';
import { usersRepository, type SettingsRow } from '../../shared/db/users';
import type { TestStack } from './stack';

export type PlanId = 'starter' | 'business' | 'premium';

export interface NewUserOptions {
  /** The id's middle part, for reading a failure (`auth0|<prefix>-<uuid>`); default `user`. */
  prefix?: string;
  /** The token's email claim; `null` leaves it out. Default `<prefix>-<id>@example.com`. */
  email?: string | null;
  /**
   * Whether Auth0 verified that address: the token's `email_verified` claim, and the `settings` row's
   * `emailVerified` (default true, as for a user who signed up and confirmed, or signed in with Google).
   */
  emailVerified?: boolean;
  /** The token's name claim. */
  name?: string;
  /** Token permissions (`['admin']` for an admin). */
  permissions?: string[];
  /** A settings row, written through the repository (the fields given over the token's defaults). */
  settings?: Partial<Omit<SettingsRow, 'userId'>>;
  /** `GET /v1/me` first, as the portal does at login (creates the settings row from the token). */
  firstLogin?: boolean;
  /** An active subscription to this plan, written through the repository. */
  plan?: PlanId;
  /** The subscription row's other fields (with or without `plan`). */
  subscription?: Partial<SubscriptionRow>;
  /** `PUT /v1/me/assistant` with this body (after the plan, so a pool number can follow). */
  assistant?: { greeting?: string; language?: string };
}

export interface TestUser {
  sub: string;
  email: string | undefined;
  token: string;
  /** The assistant's id, when `assistant` made one. */
  assistantId?: string;
}

/** A new user of the local stack, with what `opts` asks for already in place. */
export async function newUser(stack: TestStack, opts: NewUserOptions = {}): Promise<TestUser> {
  const prefix = opts.prefix ?? 'user';
  const id = randomUUID();
  const sub = `auth0|${prefix}-${id}`;
  const email = opts.email === null ? undefined : (opts.email ?? `${prefix}-${id.slice(0, 8)}@example.com`);
  const emailVerified = opts.emailVerified ?? true;
  const token = await stack.mintToken({
    sub,
    ...(email ? { email, emailVerified } : {}),
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.permissions ? { permissions: opts.permissions } : {}),
  });
  const now = new Date().toISOString();
  if (opts.settings) {
    await usersRepository(stack.table).createSettingsIfMissing({
      userId: sub,
      email: email ?? null,
      emailVerified: Boolean(email) && emailVerified,
      name: opts.name ?? null,
      timezone: 'Europe/Berlin',
      locale: 'de',
      role: 'owner',
      createdAt: now,
      updatedAt: now,
      ...opts.settings,
    });
  }
  if (opts.firstLogin) expect((await stack.call('GET', '/v1/me', { token })).status).toBe(200);
  if (opts.plan || opts.subscription) {
    await subscriptionsRepository(stack.table).put(sub, { planId: opts.plan ?? 'business', status: 'active', createdAt: now, updatedAt: now, ...opts.subscription });
  }
  const user: TestUser = { sub, email, token };
  if (opts.assistant) {
    const res = await stack.call('PUT', '/v1/me/assistant', { token, body: { greeting: 'Guten Tag!', language: 'de', ...opts.assistant } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    user.assistantId = res.body.assistantId;
  }
  return user;
}

/** Every row of one partition (`pk`), read by Query: what a test that needs only its own rows reads. */
export function partition(stack: TestStack, pk: string): Promise<Record<string, unknown>[]> {
  return queryAll(stack.table, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true });
}

/** Every row of a user's partition (shared/db/keys.ts `userPk`), optionally only those whose sort key starts with `skPrefix`. */
export async function rowsOf(stack: TestStack, sub: string, skPrefix = ''): Promise<Record<string, unknown>[]> {
  return (await partition(stack, userPk(sub))).filter((r) => String(r.sk).startsWith(skPrefix));
}

/** One row of a user's partition by its sort key, or undefined. */
export async function rowOf(stack: TestStack, sub: string, sk: string): Promise<Record<string, unknown> | undefined> {
  return (await rowsOf(stack, sub)).find((r) => r.sk === sk);
}
