// The admin dashboard's customers: the index the stream keeps, and the listing and search on it.
//
// indexCustomer — the worker, from any INSERT, MODIFY or REMOVE of a customer's SETTINGS or
// SUBSCRIPTION row (shared/db/customers.ts has the items).
//   input: the customer's id; output: what it did (applied or unchanged) and the counter changes it wrote.
//   1. read both source rows (strongly consistent) and the customer's index items;
//   2. work out the entry they make (none when both rows are gone: an account deletion);
//   3. write the difference, with the counters it moves, in one transaction conditional on the sources
//      and the listing being as read; when either changed meanwhile, start again from 1.
//   The outcome depends only on the rows as they are, not on the record: a record delivered twice, late
//   or out of order writes nothing wrong, and counts nothing twice (the listing row says what is counted).
//   The rebuild of derived data (shared/domain/reindex.ts) runs this same use case for every customer.
//
// listCustomers — GET /v1/admin/customers: a page of the listing, or of a search (`q`), each customer
//   with their call retention and how many API keys the account holds (their counts, read for the
//   page in one BatchGetItem).
import { DEFAULT_TRANSCRIPT_STORAGE, TRANSCRIPT_STORAGE, type CallRetention, type TranscriptStorage } from '../config/retention';
import { counterChanges, type CustomerEntry, type CustomerIndexRepository, type CustomerListing, type CustomerSources } from '../db/customers';
import { addTo, type CounterChanges } from '../db/stats';
import { isTransactionConflict } from '../db/conditional';
import { subscriptionInForce } from '../db/subscriptions';
import { partitionOf, queryWordsOf, termsOf, wordsOf } from './customer-search';

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** The index entry of a customer made of these rows; undefined when there is neither. */
export function customerEntry(userId: string, sources: CustomerSources): CustomerEntry | undefined {
  const { settings, subscription } = sources;
  if (!settings && !subscription) return undefined;
  const created = [str(settings?.createdAt), str(subscription?.createdAt)].filter((d): d is string => d !== null).sort();
  const email = str(settings?.email);
  const name = str(settings?.name);
  const company = str(settings?.company);
  const words = wordsOf(email, name, company);
  const status = str(subscription?.status);
  const planId = str(subscription?.planId);
  const listing: CustomerListing = {
    userId,
    email,
    name,
    company,
    callRetentionDays: typeof settings?.callRetentionDays === 'number' ? settings.callRetentionDays : null,
    transcriptStorage: str(settings?.transcriptStorage),
    // A row without a creation time (none is written so) sorts as the oldest.
    since: created[0] ?? '1970-01-01T00:00:00.000Z',
    planId,
    subscriptionStatus: status,
    activePlan: planId && subscriptionInForce({ status: status ?? undefined }) ? planId : null,
    terms: termsOf(words),
  };
  const partitions = [...new Set(words.filter((w) => [...w].length >= 2).map(partitionOf))];
  return { listing, partitions };
}

export type IndexOutcome = 'applied' | 'unchanged';

export interface IndexResult {
  outcome: IndexOutcome;
  /** What the write added to the counters, by counter name over every item it touched (none when unchanged). */
  counters: CounterChanges;
  /** Whether the customer is gone and their index items were removed by this write. */
  removed: boolean;
}

const MAX_ROUNDS = 10;

export async function indexCustomer(deps: { customers: CustomerIndexRepository; now?: () => Date }, userId: string): Promise<IndexResult> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (round > 0) await new Promise((r) => setTimeout(r, Math.random() * 10 * round));
    const [sources, stored] = await Promise.all([deps.customers.readSources(userId), deps.customers.readIndex(userId)]);
    const entry = customerEntry(userId, sources);
    const now = deps.now?.() ?? new Date();
    const outcome = await deps.customers.apply(userId, sources, stored, entry, now).catch((err: unknown) => {
      // Another customer's transaction touched the same counter item: the same as a stale read.
      if (isTransactionConflict(err)) return 'stale' as const;
      throw err;
    });
    if (outcome === 'unchanged') return { outcome, counters: {}, removed: false };
    if (outcome === 'applied') {
      // The changes apply() wrote with the listing: the same function of the same reads.
      const sum = new Map<string, CounterChanges>();
      for (const c of counterChanges(userId, stored.listing, entry, now)) addTo(sum, '', c.changes);
      return { outcome, counters: Object.fromEntries(Object.entries(sum.get('') ?? {}).filter(([, n]) => n !== 0)), removed: !entry && !!stored.listing };
    }
  }
  throw new Error(`the index of a customer kept changing under ${MAX_ROUNDS} attempts; the record is retried`);
}

export interface CustomerView {
  userId: string;
  email: string | null;
  name: string | null;
  company: string | null;
  /** The account's call retention: its choice, else the stage's default (`chosen` says which). */
  retention: { callRetentionDays: number; transcriptStorage: TranscriptStorage; chosen: boolean };
  createdAt: string;
  subscription: { planId: string | null; status: string | null } | null;
  /** How many API keys the account holds. */
  apiKeys: number;
}

export interface CustomerListDeps {
  customers: CustomerIndexRepository;
  callRetention: Pick<CallRetention, 'defaultDays'>;
  apiKeyCounts: (userIds: string[]) => Promise<Map<string, number>>;
}

const viewOf = (retention: CustomerListDeps['callRetention']) => (l: CustomerListing): Omit<CustomerView, 'apiKeys'> => ({
  userId: l.userId,
  email: l.email,
  name: l.name,
  company: l.company,
  retention: {
    callRetentionDays: l.callRetentionDays ?? retention.defaultDays,
    transcriptStorage: (TRANSCRIPT_STORAGE as readonly string[]).includes(l.transcriptStorage ?? '') ? (l.transcriptStorage as TranscriptStorage) : DEFAULT_TRANSCRIPT_STORAGE,
    chosen: l.callRetentionDays !== null || l.transcriptStorage !== null,
  },
  createdAt: l.since,
  subscription: l.planId || l.subscriptionStatus ? { planId: l.planId, status: l.subscriptionStatus } : null,
});

export async function listCustomers(deps: CustomerListDeps, query: { limit: number; cursor?: string; q?: string }): Promise<{ items: CustomerView[]; nextCursor: string | null }> {
  const view = viewOf(deps.callRetention);
  let page: { items: CustomerListing[]; nextCursor: string | null };
  if (query.q === undefined) page = await deps.customers.list(query);
  else {
    const words = queryWordsOf(query.q);
    // Nothing searchable (only punctuation): nothing matches.
    if (words.length === 0) return { items: [], nextCursor: null };
    page = await deps.customers.search({ words, limit: query.limit, cursor: query.cursor });
  }
  const keys = page.items.length > 0 ? await deps.apiKeyCounts(page.items.map((l) => l.userId)) : new Map<string, number>();
  return { items: page.items.map((l) => ({ ...view(l), apiKeys: keys.get(l.userId) ?? 0 })), nextCursor: page.nextCursor };
}

/** Indexes customers the index does not hold yet, many at a time (the local bench's seeding): the worker's entries, loaded in bulk. */
export async function loadCustomerIndex(deps: { customers: CustomerIndexRepository }, customers: { userId: string; sources: CustomerSources }[], now = new Date()): Promise<void> {
  const entries = customers.flatMap(({ userId, sources }) => {
    const entry = customerEntry(userId, sources);
    return entry ? [{ userId, entry }] : [];
  });
  await deps.customers.loadFresh(entries, now);
}
