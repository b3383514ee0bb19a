// The customers the admin benches load into DynamoDB Local (scripts/bench-admin.ts,
// scripts/bench-reindex.ts): customer i of n, its rows built as the repositories store them. A third
// have settings only, a third a subscription only, a third both; names, companies and plans vary, in
// several scripts; creation times spread over the last year, the newest last.
import type { CustomerSources } from '../shared/db/customers';
import { subscriptionItem, type SubscriptionRow } from '../shared/db/subscriptions';
import { settingsItem, type SettingsRow } from '../shared/db/users';

const FIRST = ['Anna', 'Jürgen', 'Ayşe', 'Mehmet', 'Eleni', 'Γιώργος', 'Max', 'Sophie', 'Lukas', 'Emre', 'Zoë', 'François', 'Björn', 'Małgorzata', 'Søren', 'Fatma', 'Nikos', 'Laura', 'Paul', 'Mia'];
const LAST = ['Müller', 'Schmidt', 'Çelik', 'Yılmaz', 'Öztürk', 'Παπαδόπουλος', 'Weber', 'Fischer', 'Wagner', 'Becker', 'Kaya', 'Demir', 'Nowak', 'Dubois', 'Jensen', 'Hoffmann', 'Schäfer', 'Koch', 'Richter', 'Klein'];
const COMPANY = ['Bau', 'Praxis', 'Kanzlei', 'Handwerk', 'Logistik', 'Immobilien', 'Café', 'Autohaus', 'Elektro', 'Friseur'];
const FORM = ['GmbH', 'KG', 'e.K.', 'AG', 'UG', 'Ltd', 'A.Ş.', 'Α.Ε.'];
const PLANS = ['starter', 'business', 'premium'] as const;
const STATUSES = ['active', 'active', 'active', 'trialing', 'past_due', 'canceled', 'incomplete'];

export const benchCustomerId = (i: number) => `auth0|bench-${String(i).padStart(6, '0')}`;

export type BenchCustomer = CustomerSources & { settingsRow?: SettingsRow; subscriptionRow?: SubscriptionRow };

/** Customer `i` of `n`, created between a year ago (`start`, ms) and now. */
export function benchCustomer(i: number, n: number, start: number): BenchCustomer {
  const userId = benchCustomerId(i);
  const kind = i % 3; // 0 settings only, 1 subscription only, 2 both
  const createdAt = new Date(start + Math.floor((i / n) * 364 * 86_400_000)).toISOString();
  const out: BenchCustomer = {};
  if (kind !== 1) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    const company = i % 2 ? `${last} ${COMPANY[i % COMPANY.length]} ${FORM[i % FORM.length]}` : null;
    const email = `${first}.${last}${i}@example.com`.normalize('NFKD').replace(/\p{M}/gu, '').replace(/[^A-Za-z0-9.@]/g, 'x').toLowerCase();
    out.settingsRow = { userId, email, name: `${first} ${last}`, company, timezone: 'Europe/Berlin', locale: 'de', role: 'owner', createdAt, updatedAt: createdAt };
    out.settings = settingsItem(out.settingsRow);
  }
  if (kind !== 0) {
    out.subscriptionRow = { planId: PLANS[i % 3]!, status: STATUSES[i % STATUSES.length]!, createdAt, updatedAt: createdAt };
    out.subscription = subscriptionItem(userId, out.subscriptionRow);
  }
  return out;
}

/** Runs `fn` over 0..n-1 with `width` in flight, printing how far it got; answers the seconds it took. */
export async function pool(n: number, width: number, fn: (i: number) => Promise<void>, label: string): Promise<number> {
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const tick = setInterval(() => process.stdout.write(`\r  ${label}: ${done}/${n}`), 2000);
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        const i = next++;
        await fn(i);
        done++;
      }
    }),
  );
  clearInterval(tick);
  const s = (performance.now() - t0) / 1000;
  process.stdout.write(`\r  ${label}: ${n} in ${s.toFixed(1)} s (${Math.round(n / s)}/s)\n`);
  return s;
}
