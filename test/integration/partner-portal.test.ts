// The partner portal and referrals through the local API: the invite token's lifecycle (valid, used,
// expired, unknown, two activations at once), the partner link checked on every partner route,
// payout details validated, sealed in the table and masked in answers and logs, referrals saved once
// by code or by legacy id with each refusal, and the commission of a partner's customers.
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { partnersRepository } from '../../shared/db/partners';
import { payoutKeyRing } from '../../shared/crypto/envelope';
import { PAYOUT, seedActivePartner, seedInvitedPartner } from '../support/partners';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';
import { newUser as newTestUser, partition, rowOf } from '../support/users';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const newUser = (name = 'Cora Customer') => newTestUser(stack, { prefix: 'customer', name });
const activate = (token: string, inviteToken: string) => stack.call('POST', '/v1/partner/activate', { token, body: { inviteToken } });
const problem = (slug: string) => `urn:fonella:problem:${slug}`;


describe('POST /v1/partner/activate', () => {
  it("activates with the token of the invite an admin sent: the whole way from the admin's POST", async () => {
    const admin = await stack.mintToken({ sub: 'auth0|portal-admin', permissions: ['admin'] });
    const email = `invitee-${randomUUID().slice(0, 8)}@example.com`;
    const invite = await stack.call('POST', '/v1/admin/partners', { token: admin, body: { name: 'Vertrieb Nord', email, commissionPercent: 15 } });
    expect(invite.status, JSON.stringify(invite.body)).toBe(201);
    const mail = await waitFor('the invite email', async () => (await stack.mails()).find((m) => m.to.includes(email)));
    const token = /activate\?invite=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
    expect(token).toBeDefined();
    const user = await newUser('Vera Vertrieb');
    const res = await activate(user.token, token!);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const overview = await stack.call('GET', '/v1/partner', { token: user.token });
    expect(overview.body).toMatchObject({ partnerId: invite.body.partnerId, status: 'active', commissionPercent: 15, publicCode: invite.body.publicCode });
  });

  it('links the caller and makes the partner active; the same user again gets the same answer', async () => {
    const invited = await seedInvitedPartner(stack);
    const user = await newUser('Pat Partner');
    const res = await activate(user.token, invited.inviteToken);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ partnerId: invited.partnerId, status: 'active' });
    const row = await partnersRepository(stack.table).get(invited.partnerId);
    expect(row).toMatchObject({ status: 'active', auth0UserId: user.sub });
    expect((await activate(user.token, invited.inviteToken)).body).toEqual(res.body);
    expect((await stack.call('GET', '/v1/partner', { token: user.token })).status).toBe(200);
  });

  it('a used token: 410 invite-used for anyone else, nothing changed', async () => {
    const invited = await seedInvitedPartner(stack);
    const first = await newUser();
    expect((await activate(first.token, invited.inviteToken)).status).toBe(200);
    const second = await newUser();
    const before = await settle(stack);
    const res = await activate(second.token, invited.inviteToken);
    expect(res.status).toBe(410);
    expect(res.body.type).toBe(problem('invite-used'));
    await expectUnchanged(stack, before, 'a used invite');
  });

  it('an expired token: 410 invite-expired; an unknown one: 400 invite-invalid; nothing changed', async () => {
    const expired = await seedInvitedPartner(stack, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    const user = await newUser();
    const before = await settle(stack);
    const res = await activate(user.token, expired.inviteToken);
    expect(res.status).toBe(410);
    expect(res.body.type).toBe(problem('invite-expired'));
    const unknown = await activate(user.token, 'x'.repeat(43));
    expect(unknown.status).toBe(400);
    expect(unknown.body.type).toBe(problem('invite-invalid'));
    await expectUnchanged(stack, before, 'expired and unknown invites');
    expect((await partnersRepository(stack.table).get(expired.partnerId))?.status).toBe('invited');
  });

  it('a partner disabled before activation: 410 invite-revoked', async () => {
    const invited = await seedInvitedPartner(stack);
    await partnersRepository(stack.table).update(invited.partnerId, { status: 'disabled', updatedAt: new Date().toISOString() });
    const res = await activate((await newUser()).token, invited.inviteToken);
    expect(res.status).toBe(410);
    expect(res.body.type).toBe(problem('invite-revoked'));
  });

  it('two users activating with one token at once: one wins, the other is told it is used', async () => {
    const invited = await seedInvitedPartner(stack);
    const users = await Promise.all([newUser(), newUser(), newUser(), newUser()]);
    const answers = await Promise.all(users.map((u) => activate(u.token, invited.inviteToken)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 410, 410, 410]);
    const winner = users[answers.findIndex((a) => a.status === 200)]!;
    expect((await partnersRepository(stack.table).get(invited.partnerId))?.auth0UserId).toBe(winner.sub);
    const links = (await stack.scan()).filter((r) => r.sk === 'PARTNER_LINK' && r.partnerId === invited.partnerId);
    expect(links.map((l) => l.userId)).toEqual([winner.sub]);
  });

  it('a user linked to one partner cannot activate another: 409, the second stays invited', async () => {
    const partner = await seedActivePartner(stack);
    const other = await seedInvitedPartner(stack);
    const res = await activate(partner.token, other.inviteToken);
    expect(res.status).toBe(409);
    expect(res.body.type).toBe(problem('partner-already-linked'));
    expect((await partnersRepository(stack.table).get(other.partnerId))?.status).toBe('invited');
  });
});

describe('the partner link on partner routes', () => {
  const routes = [
    ['GET', '/v1/partner', undefined],
    ['PUT', '/v1/partner/payout-details', PAYOUT],
  ] as const;

  it.each(routes)('%s %s: a user without a partner link → 403 partner-required, nothing changed', async (method, path, body) => {
    const user = await newUser();
    const before = await settle(stack);
    const res = await stack.call(method, path, { token: user.token, body });
    expect(res.status).toBe(403);
    expect(res.body.type).toBe(problem('partner-required'));
    await expectUnchanged(stack, before, `${method} ${path} without a link`);
  });

  it.each(routes)('%s %s: a disabled partner → 403 partner-required; enabled again, let in', async (method, path, body) => {
    const partner = await seedActivePartner(stack);
    const admin = await stack.mintToken({ sub: 'auth0|portal-admin', permissions: ['admin'] });
    const disable = await stack.call('PATCH', `/v1/admin/partners/${partner.partnerId}`, { token: admin, body: { status: 'disabled' } });
    expect(disable.status).toBe(200);
    const res = await stack.call(method, path, { token: partner.token, body });
    expect(res.status).toBe(403);
    expect(res.body.type).toBe(problem('partner-required'));
    await stack.call('PATCH', `/v1/admin/partners/${partner.partnerId}`, { token: admin, body: { status: 'active' } });
    expect((await stack.call(method, path, { token: partner.token, body })).status).toBe(200);
  });
});

describe('PUT /v1/partner/payout-details', () => {
  it('stores IBAN and account holder sealed, answers and logs them masked, and the seal opens to the input', async () => {
    const partner = await seedActivePartner(stack);
    const res = await stack.call('PUT', '/v1/partner/payout-details', { token: partner.token, body: PAYOUT });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      payoutIbanMasked: 'DE89 **** **** **** **30 00',
      payoutAccountHolderMasked: 'E**** M*********',
      payoutBic: 'COBADEFFXXX',
      billingCountry: 'DE',
      billingVatId: 'DE136695976',
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('0532013000');
    expect(text).not.toContain('Erika');
    expect(text).not.toContain('Mustermann');

    const raw = (await partition(stack, `PARTNER#${partner.partnerId}`)).find((r) => r.sk === 'PROFILE')!;
    const stored = JSON.stringify(raw);
    expect(stored).not.toMatch(/DE89\s?3704/);
    expect(stored).not.toContain('0532013000');
    expect(stored).not.toContain('0532 0130 00');
    expect(stored).not.toContain('Erika');
    expect(stored).not.toContain('Mustermann');
    expect(stored).not.toMatch(/payoutAccountHolder"/);
    const details = raw.payoutDetails as { sealed: Parameters<ReturnType<typeof payoutKeyRing>['open']>[0] };
    await expect(payoutKeyRing().open(details.sealed, { purpose: 'partner-payout', partnerId: partner.partnerId })).resolves.toEqual({
      payoutIban: 'DE89370400440532013000',
      payoutAccountHolder: 'Erika Mustermann',
    });
    // Sealed for this partner: it does not open as another's.
    await expect(payoutKeyRing().open(details.sealed, { purpose: 'partner-payout', partnerId: randomUUID() })).rejects.toThrow();

    const overview = await stack.call('GET', '/v1/partner', { token: partner.token });
    expect(overview.body.payoutDetails).toEqual(res.body);

    // Log lines of this run: the masked IBAN may appear, the clear one never.
    const dir = join(new URL('../../', import.meta.url).pathname, '.local', 'test-logs');
    const logs = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    expect(logs).toContain('DE89 **** **** **** **30 00');
    expect(logs).not.toContain('DE89370400440532013000');
    expect(logs).not.toContain('Erika Mustermann');
  });

  it("every field optional, as the seed has them: a partial PUT merges into what is stored, the sealed pair included, and the cross-checks use the stored half", async () => {
    const partner = await seedActivePartner(stack);
    const put = (body: unknown) => stack.call('PUT', '/v1/partner/payout-details', { token: partner.token, body });
    const billing = { billingName: 'Max Beispiel', billingStreet: 'Hauptstraße 1', billingZip: '10115', billingCity: 'Berlin', billingCountry: 'DE' };

    const first = await put(billing);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ ...billing, payoutIbanMasked: null, payoutBic: null, payoutAccountHolderMasked: null, billingVatId: null });

    const bank = await put({ payoutIban: PAYOUT.payoutIban, payoutBic: PAYOUT.payoutBic });
    expect(bank.body).toMatchObject({ ...billing, payoutIbanMasked: 'DE89 **** **** **** **30 00', payoutBic: 'COBADEFFXXX', payoutAccountHolderMasked: null });

    // A BIC alone is checked against the stored IBAN's country; an IBAN alone against the stored BIC's.
    const before = await settle(stack);
    const frenchBic = await put({ payoutBic: 'BNPAFRPPXXX' });
    expect(frenchBic.status).toBe(400);
    expect(frenchBic.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.payoutBic']);
    const frenchIban = await put({ payoutIban: 'FR14 2004 1010 0505 0001 3M02 606' });
    expect(frenchIban.status).toBe(400);
    expect(frenchIban.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.payoutIban']);
    // A VAT id alone is checked against the stored billing country.
    const badVat = await put({ billingVatId: 'DE123' });
    expect(badVat.status).toBe(400);
    expect(await put({})).toMatchObject({ status: 400 });
    await expectUnchanged(stack, before, 'refused partial payout details');

    // The account holder alone: the stored IBAN is carried over into the new seal.
    const holder = await put({ payoutAccountHolder: 'Erika Mustermann' });
    expect(holder.body).toMatchObject({ payoutIbanMasked: 'DE89 **** **** **** **30 00', payoutAccountHolderMasked: 'E**** M*********', billingCity: 'Berlin' });
    const raw = (await partition(stack, `PARTNER#${partner.partnerId}`)).find((r) => r.sk === 'PROFILE')!;
    const details = raw.payoutDetails as { sealed: Parameters<ReturnType<typeof payoutKeyRing>['open']>[0] };
    await expect(payoutKeyRing().open(details.sealed, { purpose: 'partner-payout', partnerId: partner.partnerId })).resolves.toEqual({
      payoutIban: 'DE89370400440532013000',
      payoutAccountHolder: 'Erika Mustermann',
    });
    // Both together move the account to another country's bank.
    const moved = await put({ payoutIban: 'FR14 2004 1010 0505 0001 3M02 606', payoutBic: 'BNPAFRPPXXX' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ payoutBic: 'BNPAFRPPXXX', payoutAccountHolderMasked: 'E**** M*********', billingCountry: 'DE' });
    expect((await stack.call('GET', '/v1/partner', { token: partner.token })).body.payoutDetails).toEqual(moved.body);
  });

  it('KMS failing: 503 key-service-unavailable with Retry-After, nothing stored; the same request later goes through', async () => {
    const partner = await seedActivePartner(stack);
    const before = await settle(stack);
    // The client's attempt and its retry both fail.
    await stack.fault('kms', { mode: 'error', count: 2 });
    const res = await stack.call('PUT', '/v1/partner/payout-details', { token: partner.token, body: PAYOUT });
    expect(res.status).toBe(503);
    expect(res.body.type).toBe(problem('key-service-unavailable'));
    expect(res.headers.get('retry-after')).toBe('2');
    await expectUnchanged(stack, before, 'KMS unavailable');
    expect((await stack.call('PUT', '/v1/partner/payout-details', { token: partner.token, body: PAYOUT })).status).toBe(200);
  });

  const valid: [string, Partial<typeof PAYOUT>][] = [
    ['Austria', { payoutIban: 'AT611904300234573201', payoutBic: 'BKAUATWW', billingCountry: 'AT', billingVatId: 'ATU13585627' }],
    ['France', { payoutIban: 'FR1420041010050500013M02606', payoutBic: 'PSSTFRPPXXX', billingCountry: 'FR', billingVatId: 'FR40303265045' }],
    ['the Netherlands', { payoutIban: 'NL91ABNA0417164300', payoutBic: 'ABNANL2A', billingCountry: 'NL', billingVatId: 'NL004495445B01' }],
    ['the United Kingdom, no VAT check outside the EU', { payoutIban: 'GB29NWBK60161331926819', payoutBic: 'NWBKGB2L', billingCountry: 'GB', billingVatId: 'GB123' }],
    ['Greece (VAT prefix EL)', { payoutIban: 'GR1601101250000000012300695', payoutBic: 'ETHNGRAA', billingCountry: 'GR', billingVatId: 'EL094014201' }],
    ['no company and no VAT id', { billingCompany: undefined, billingVatId: undefined }],
  ];
  it.each(valid)('accepts real details of %s', async (_what, change) => {
    const partner = await seedActivePartner(stack);
    const res = await stack.call('PUT', '/v1/partner/payout-details', { token: partner.token, body: { ...PAYOUT, ...change } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  const invalid: [string, Partial<typeof PAYOUT>, string][] = [
    ['an IBAN with a wrong check digit', { payoutIban: 'DE89370400440532013001' }, 'payoutIban'],
    ['an IBAN of the wrong length for its country', { payoutIban: 'DE8937040044053201300' }, 'payoutIban'],
    ['an IBAN of no country', { payoutIban: 'XX89370400440532013000' }, 'payoutIban'],
    ['a BIC of 9 characters', { payoutBic: 'COBADEFFX' }, 'payoutBic'],
    ['a BIC with no real country', { payoutBic: 'COBAXXFF' }, 'payoutBic'],
    ["a BIC of another country than the IBAN's", { payoutBic: 'NWBKGB2L' }, 'payoutBic'],
    ['a country that is not ISO 3166-1', { billingCountry: 'XK' }, 'billingCountry'],
    ['a country in lower case', { billingCountry: 'de' }, 'billingCountry'],
    ['a German VAT id with a wrong check digit', { billingVatId: 'DE136695977' }, 'billingVatId'],
    ["a French VAT id for Germany", { billingVatId: 'FR40303265045' }, 'billingVatId'],
    ['an Austrian VAT id without its U', { billingCountry: 'AT', payoutIban: 'AT611904300234573201', payoutBic: 'BKAUATWW', billingVatId: 'AT13585627' }, 'billingVatId'],
  ];
  it.each(invalid)('refuses %s: 400 naming the field, nothing stored', async (_what, change, field) => {
    const partner = await seedActivePartner(stack);
    const before = await settle(stack);
    const res = await stack.call('PUT', '/v1/partner/payout-details', { token: partner.token, body: { ...PAYOUT, ...change } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(`body.${field}`);
    expect(JSON.stringify(res.body)).not.toContain('0532013');
    await expectUnchanged(stack, before, _what);
  });
});

describe('POST /v1/me/referral', () => {
  it('by public code: saved once; a later call with another partner answers the stored referral', async () => {
    const first = await seedActivePartner(stack);
    const second = await seedActivePartner(stack);
    const customer = await newUser();
    const res = await stack.call('POST', '/v1/me/referral', { token: customer.token, body: { refId: first.publicCode.toLowerCase() } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ partnerId: first.partnerId, referredAt: expect.any(String) });
    const again = await stack.call('POST', '/v1/me/referral', { token: customer.token, body: { refId: second.publicCode } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect((await stack.call('GET', '/v1/me', { token: customer.token })).body.referral).toEqual(res.body);
  });

  it('by a legacy partner user id', async () => {
    const partner = await seedActivePartner(stack);
    const customer = await newUser();
    const res = await stack.call('POST', '/v1/me/referral', { token: customer.token, body: { refId: partner.sub } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.partnerId).toBe(partner.partnerId);
  });

  it('refuses self-referral, an unknown code, a disabled and a not yet active partner; nothing stored', async () => {
    const partner = await seedActivePartner(stack);
    const disabled = await seedActivePartner(stack);
    await partnersRepository(stack.table).update(disabled.partnerId, { status: 'disabled', updatedAt: new Date().toISOString() });
    const invited = await seedInvitedPartner(stack);
    const customer = await newUser();
    const before = await settle(stack);
    const cases: [string, string, number, string][] = [
      [partner.token, partner.publicCode, 409, 'referral-self'],
      [partner.token, partner.sub, 409, 'referral-self'],
      [customer.token, 'ZZZZZZZZ', 404, 'not-found'],
      [customer.token, 'auth0|nobody-at-all', 404, 'not-found'],
      [customer.token, disabled.publicCode, 409, 'referral-partner-inactive'],
      [customer.token, invited.publicCode, 409, 'referral-partner-inactive'],
    ];
    for (const [token, refId, status, slug] of cases) {
      const res = await stack.call('POST', '/v1/me/referral', { token, body: { refId } });
      expect(res.status, `${refId}: ${JSON.stringify(res.body)}`).toBe(status);
      expect(res.body.type).toBe(problem(slug));
    }
    await expectUnchanged(stack, before, 'refused referrals');
  });
});

describe('GET /v1/partner', () => {
  it('lists the referred customers (name, plan, since) and the commission of three customers on different plans', async () => {
    const partner = await seedActivePartner(stack, { commissionPercent: 25 });
    const plans = ['starter', 'business', 'premium'] as const;
    const customers = [];
    for (const planId of plans) {
      const c = await newUser(`Kunde ${planId}`);
      customers.push(c);
      expect((await stack.call('GET', '/v1/me', { token: c.token })).status).toBe(200);
      expect((await stack.call('POST', '/v1/me/referral', { token: c.token, body: { refId: partner.publicCode } })).status).toBe(200);
      expect((await stack.call('POST', '/v1/me/subscription', { token: c.token, body: { planId } })).status).toBe(201);
      const subscriptionId = (await rowOf(stack, c.sub, 'SUBSCRIPTION'))!.stripeSubscriptionId as string;
      const paid = await fetch(`${stack.emulators.stripe}/_simulate/payment-succeeded`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ subscriptionId }),
      });
      expect(paid.status).toBe(200);
    }
    const catalogue = (await stack.call('GET', '/v1/public/plans')).body.plans as { id: string; monthlyPriceCents: number }[];
    const expected = Math.round(catalogue.filter((p) => plans.includes(p.id as never)).reduce((sum, p) => sum + p.monthlyPriceCents * 0.25, 0));

    const overview = await waitForActive(partner.token, 3);
    expect(overview.referredCustomers.count).toBe(3);
    expect(overview.referredCustomers.items.map((i: { name: string }) => i.name).sort()).toEqual(['Kunde business', 'Kunde premium', 'Kunde starter']);
    for (const item of overview.referredCustomers.items) expect(Object.keys(item).sort()).toEqual(['name', 'planId', 'since']);
    expect(overview.commission.thisMonth).toEqual({ amountCents: expected, currency: 'EUR' });
    // They subscribed this month: nothing for last month.
    expect(overview.commission.lastMonth).toEqual({ amountCents: 0, currency: 'EUR' });
    expect(overview.publicCode).toBe(partner.publicCode);
    expect(overview.referralLink).toContain(`ref=${partner.publicCode}`);
    expect(JSON.stringify(overview)).not.toContain(customers[0]!.sub);
  });
});

/** The partner's overview once `n` referred customers have a plan in force (the webhook runs after payment). */
async function waitForActive(token: string, n: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await stack.call('GET', '/v1/partner', { token });
    const withPlan = (res.body.referredCustomers?.items ?? []).filter((i: { planId: string | null }) => i.planId !== null).length;
    if (withPlan >= n || Date.now() > deadline) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
}
