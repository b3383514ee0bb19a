// GET /v1/admin/customers through the local API, on the index the indexCustomer worker keeps from the
// SETTINGS and SUBSCRIPTION rows: the union of both (each customer once), newest first, pages that
// neither repeat nor skip anyone while customers are added, search by the start of any word of email,
// name and company in any case and with non-ASCII names, the index following changes and an account's
// removal, a record delivered twice changing nothing, and a customer's token refused.
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { invoke, lambdaContext } from '../../lib/local/lambda';
import { COUNTER_SHARDS, statsRepository } from '../../shared/db/stats';
import { subscriptionsRepository } from '../../shared/db/subscriptions';
import { usersRepository } from '../../shared/db/users';
import { workerStack, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';

const PATH = '/v1/admin/customers';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

/** A distinct instant per customer, a second apart, from a base in the past (newest: the highest n). */
let clock = Date.parse('2026-01-05T08:00:00.000Z');
const nextInstant = () => new Date((clock += 1000)).toISOString();

interface Made {
  userId: string;
  createdAt: string;
}

async function settingsFor(userId: string, fields: { email?: string | null; name?: string | null; company?: string | null }, createdAt = nextInstant()): Promise<Made> {
  await usersRepository(stack.table).createSettingsIfMissing({
    userId,
    email: fields.email ?? null,
    name: fields.name ?? null,
    ...(fields.company !== undefined ? { company: fields.company } : {}),
    timezone: 'Europe/Berlin',
    locale: 'de',
    role: 'owner',
    createdAt,
    updatedAt: createdAt,
  });
  return { userId, createdAt };
}

async function subscriptionFor(userId: string, planId: 'starter' | 'business' | 'premium', status: string, createdAt = nextInstant()): Promise<Made> {
  await subscriptionsRepository(stack.table).put(userId, { planId, status, createdAt, updatedAt: createdAt });
  return { userId, createdAt };
}

const newId = (label: string) => `auth0|${label}-${randomUUID().slice(0, 8)}`;
const get = (query: string, token = stack.tokens.admin) => stack.call('GET', `${PATH}${query}`, { token });

type Item = { userId: string; email: string | null; name: string | null; company: string | null; createdAt: string; subscription: { planId: string | null; status: string | null } | null; apiKeys: number };

/** Every page of a listing or search, following nextCursor. */
async function walk(query: string, onPage?: (page: number) => Promise<void>): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  let page = 0;
  do {
    const sep = query ? '&' : '?';
    const res = await get(`${query}${cursor ? `${sep}cursor=${cursor}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    await onPage?.(++page);
    expect(page).toBeLessThan(200);
  } while (cursor);
  return items;
}

const ids = (items: { userId: string }[]) => items.map((i) => i.userId);
const search = async (q: string) => ids(await walk(`?q=${encodeURIComponent(q)}`));

async function customerCount(): Promise<number> {
  const shards = await statsRepository(stack.table).readCounters('2000-01');
  return shards.filter((s) => s.period === 'total').reduce((n, s) => n + (s.counters.customers ?? 0), 0);
}

describe('the listing', () => {
  it('holds the union of settings and subscriptions, each customer once, newest first', async () => {
    const settingsOnly = await settingsFor(newId('settings-only'), { email: 'only.settings@example.com', name: 'Settings Only' });
    const subscriptionOnly = await subscriptionFor(newId('subscription-only'), 'business', 'active');
    const both = newId('both');
    await settingsFor(both, { email: 'both@example.com', name: 'Both Rows', company: 'Both GmbH' });
    await subscriptionFor(both, 'premium', 'past_due');
    await settle(stack);

    const all = await walk('?limit=25');
    expect(new Set(ids(all)).size).toBe(all.length);
    for (const id of [settingsOnly.userId, subscriptionOnly.userId, both]) expect(ids(all).filter((x) => x === id)).toHaveLength(1);
    expect(all.find((i) => i.userId === subscriptionOnly.userId)).toEqual({
      userId: subscriptionOnly.userId,
      email: null,
      name: null,
      company: null,
      retention: { callRetentionDays: 90, transcriptStorage: 'full', chosen: false },
      createdAt: subscriptionOnly.createdAt,
      subscription: { planId: 'business', status: 'active' },
      apiKeys: 0,
    });
    expect(all.find((i) => i.userId === settingsOnly.userId)).toMatchObject({ email: 'only.settings@example.com', name: 'Settings Only', subscription: null });
    expect(all.find((i) => i.userId === both)).toMatchObject({ email: 'both@example.com', company: 'Both GmbH', subscription: { planId: 'premium', status: 'past_due' } });
    const times = all.map((i) => `${i.createdAt}#${i.userId}`);
    expect(times).toEqual([...times].sort().reverse());
    // The demo users' settings rows are customers too; the demo customer holds the seeded API key.
    expect(all.find((i) => i.userId === 'auth0|demo-customer')?.apiKeys).toBeGreaterThanOrEqual(1);
  });

  it('a customer who signs in through the API appears with the email from their settings', async () => {
    const sub = newId('api');
    const token = await stack.mintToken({ sub, email: 'api.user@example.com', name: 'Api User' });
    expect((await stack.call('GET', '/v1/me', { token })).status).toBe(200);
    await settle(stack);
    expect((await walk('?limit=100')).find((i) => i.userId === sub)).toMatchObject({ email: 'api.user@example.com', name: 'Api User' });
  });

  it('pages neither repeat nor skip a customer while new ones are added', async () => {
    for (let i = 0; i < 60; i++) await settingsFor(newId('page'), { email: `page${i}@example.com` });
    await settle(stack);
    const before = ids(await walk('?limit=100'));
    const added: string[] = [];
    const seen = await walk('?limit=25', async () => {
      // After each page, three new customers sign up (newer than everyone listed).
      for (let i = 0; i < 3; i++) {
        const id = newId('added');
        added.push(id);
        await settingsFor(id, { email: `${id.slice(6)}@example.com` }, new Date(Date.now() + added.length * 1000).toISOString());
      }
      await settle(stack);
    });
    expect(new Set(ids(seen)).size).toBe(seen.length);
    expect(ids(seen)).toEqual(before);
    expect(ids(await walk('?limit=100')).slice(0, added.length).sort()).toEqual([...added].sort());
  });

  it('follows changes, and loses a customer whose rows are deleted (with every index item)', async () => {
    const id = newId('changes');
    await settingsFor(id, { email: 'before@example.com', name: 'Vorher Name' });
    await subscriptionFor(id, 'starter', 'incomplete');
    await settle(stack);
    const count = await customerCount();
    await usersRepository(stack.table).updateSettings(
      id,
      { updatedAt: nextInstant() },
      { email: null, name: null, timezone: 'Europe/Berlin', locale: 'de', role: 'owner', createdAt: nextInstant() },
      { kind: 'verified', email: 'after@example.com' },
    );
    await settle(stack);
    expect((await walk('?limit=100')).find((i) => i.userId === id)).toMatchObject({ email: 'after@example.com', subscription: { planId: 'starter', status: 'incomplete' } });
    expect(await search('after')).toContain(id);
    expect(await search('before')).not.toContain(id);

    for (const sk of ['SETTINGS', 'SUBSCRIPTION']) await stack.table.doc.send(new DeleteCommand({ TableName: stack.tableName, Key: { pk: `USER#${id}`, sk } }));
    await settle(stack);
    expect(ids(await walk('?limit=100'))).not.toContain(id);
    expect(await search('vorher')).not.toContain(id);
    expect((await stack.scan()).filter((r) => String(r.pk) === `CUSTOMER#${id}`)).toEqual([]);
    expect(await customerCount()).toBe(count - 1);
  });

  it('a record delivered again (or late) writes nothing and counts nothing twice', async () => {
    const id = newId('redelivered');
    await settingsFor(id, { email: 'redelivered@example.com', name: 'Twice Delivered' });
    await subscriptionFor(id, 'business', 'active');
    const state = await settle(stack);
    const count = await customerCount();
    const { handler } = (await import('../../functions/streams/index-customer')) as { handler: (e: DynamoDBStreamEvent, c: unknown) => Promise<{ batchItemFailures: unknown[] }> };
    const record = (sk: string, event: 'INSERT' | 'REMOVE'): DynamoDBRecord => ({
      eventID: `again-${randomUUID()}`,
      eventName: event,
      eventSource: 'aws:dynamodb',
      dynamodb: { Keys: marshall({ pk: `USER#${id}`, sk }) as never, SequenceNumber: '900000000000000000001', StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    for (const r of [record('SETTINGS', 'INSERT'), record('SUBSCRIPTION', 'INSERT'), record('SETTINGS', 'REMOVE'), record('SETTINGS', 'INSERT')]) {
      const context = lambdaContext('indexCustomer', 30_000);
      expect((await invoke(context, () => handler({ Records: [r] }, context))).batchItemFailures).toEqual([]);
    }
    await expectUnchanged(stack, state, 'a redelivered record');
    expect(await customerCount()).toBe(count);
  });
});

describe('search', () => {
  const people: Record<string, string> = {};
  beforeAll(async () => {
    const add = async (key: string, fields: { email?: string; name?: string; company?: string }) => {
      const id = newId(key);
      people[key] = id;
      await settingsFor(id, fields);
    };
    await add('mueller', { email: 'j.mueller@beispiel.de', name: 'Jürgen Müller', company: 'Müller & Söhne KG' });
    await add('celik', { email: 'ayse@celik-bau.com.tr', name: 'Ayşe Çelik', company: 'Çelik İnşaat' });
    await add('muller', { email: 'pmuller@example.fr', name: 'Pierre Muller' });
    await add('greek', { email: 'eleni@example.gr', name: 'Ελένη Παπαδοπούλου', company: 'Φούρνος Αθήνα' });
    await add('strasse', { email: 'info@strasse.example', name: 'Max Straße', company: 'Acme Analytics' });
    // Only a subscription: nothing to search in, never found.
    await subscriptionFor(newId('nothing'), 'starter', 'active');
    await settle(stack);
  });

  it.each([
    ['mül', ['mueller', 'muller']],
    ['MÜLLER', ['mueller', 'muller']],
    ['Muller', ['mueller', 'muller']],
    ['mueller', ['mueller']],
    ['söhne', ['mueller']],
    ['beispiel', ['mueller']],
    ['j.muel', ['mueller']],
    ['J.MUELLER@BEISPIEL.DE', ['mueller']],
    ['jürg', ['mueller']],
    ['çel', ['celik']],
    ['celik', ['celik']],
    ['CELİK', ['celik']],
    ['ayşe', ['celik']],
    ['ayse çelik', ['celik']],
    ['inşaat', ['celik']],
    ['ελένη', ['greek']],
    ['ΠΑΠΑΔ', ['greek']],
    ['φουρνος', ['greek']],
    ['strasse', ['strasse']],
    ['straße', ['strasse']],
    ['analyt', ['strasse']],
    ['acme analytics', ['strasse']],
    ['max analytics', ['strasse']],
    ['Ç', ['celik']],
    ['muller beispiel', ['mueller']],
    ['müller pierre', ['muller']],
    ['analytics müller', []],
    ['zzzz', []],
    ['ller', []],
  ])('%j finds %j', async (q, expected) => {
    const found = await search(q);
    expect(new Set(found).size).toBe(found.length);
    const mine = Object.entries(people).filter(([, id]) => found.includes(id)).map(([k]) => k).sort();
    expect(mine).toEqual([...expected].sort());
  });

  it('only punctuation finds nothing; a blank q is 400', async () => {
    expect((await get('?q=%40%40')).body).toEqual({ items: [], nextCursor: null });
    expect((await get('?q=%20')).status).toBe(400);
  });

  it('pages through a search that finds many, newest first, each once', async () => {
    const made: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = newId('zander');
      made.push(id);
      await settingsFor(id, { email: `zander${i}@example.com`, name: `Zander Nummer${i}` });
    }
    await settle(stack);
    const found = await walk(`?q=zander&limit=25`);
    expect(ids(found)).toEqual([...made].reverse());
    expect(found.every((i) => i.name?.startsWith('Zander'))).toBe(true);
  });

  it('a cursor of another search, or a forged one, is 400 invalid-cursor', async () => {
    const first = await get('?q=zander&limit=25');
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const other = await get(`?q=mueller&cursor=${first.body.nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.body.type).toBe('urn:fonella:problem:invalid-cursor');
    const listing = await get(`?cursor=${first.body.nextCursor}`);
    expect(listing.status).toBe(400);
    const forged = Buffer.from(JSON.stringify({ pk: 'USER#x', sk: 'SETTINGS', gsi2pk: 'CUSTOMERS', gsi2sk: '2026#x' })).toString('base64url');
    expect((await get(`?cursor=${forged}`)).status).toBe(400);
  });
});

describe('limits and access', () => {
  it.each(['?limit=24', '?limit=101', '?limit=0', '?limit=abc', '?sort=name'])('%s is 400', async (query) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:fonella:problem:validation');
  });

  it('limit defaults to 25', async () => {
    expect((await get('')).body.items).toHaveLength(25);
  });

  it('a customer token is 403 admin-required, with nothing written', async () => {
    const before = await settle(stack);
    for (const query of ['', '?q=muller']) {
      const res = await get(query, stack.tokens.customer);
      expect(res.status).toBe(403);
      expect(res.body.type).toBe('urn:fonella:problem:admin-required');
    }
    await expectUnchanged(stack, before, 'customer token');
  });

  it('the counters shard customers over COUNTER_SHARDS items', async () => {
    const totals = (await stack.scan()).filter((r) => r.pk === 'STATS#COUNTERS' && String(r.sk).startsWith('TOTAL#'));
    expect(totals.length).toBeGreaterThan(1);
    expect(totals.length).toBeLessThanOrEqual(COUNTER_SHARDS);
    const listings = (await stack.scan()).filter((r) => String(r.pk).startsWith('CUSTOMER#') && r.sk === 'LISTING');
    expect(await customerCount()).toBe(listings.length);
  });
});
