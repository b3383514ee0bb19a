// Partner management through the local API: an invite stores the partner with a public code of its own
// and emails a single-use link whose token is stored only as its hash (found again by that hash and by
// the code), invalid invites are 400 with nothing written or sent, the listing pages newest first, and
// PATCH changes commission and status (an unknown partner is 404). Customers' tokens are refused.
import { beforeAll, describe, expect, it } from 'vitest';
import { appConfig } from '../../shared/config/app';
import { hashInviteToken, partnersRepository } from '../../shared/db/partners';
import { DEMO_PARTNER } from '../../lib/local/stack';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';

const PATH = '/v1/admin/partners';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const invite = (body: unknown, token = stack.tokens.admin) => stack.call('POST', PATH, { token, body });

async function inviteMail(to: string) {
  return waitFor(`the invite to ${to}`, async () => (await stack.mails()).find((m) => m.to.includes(to) && m.tags.includes('partner-invite')));
}

describe('POST /v1/admin/partners', () => {
  it('stores the partner with a public code and emails a single-use link whose token only the hash keeps', async () => {
    const res = await invite({ name: 'Çelik Telekom GmbH', email: 'celik@example.com', commissionPercent: 12.5, locale: 'en' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const partner = res.body;
    expect(partner).toMatchObject({ name: 'Çelik Telekom GmbH', email: 'celik@example.com', commissionPercent: 12.5, status: 'invited', activated: false, inviteSentAt: null });
    expect(partner.partnerId).toMatch(UUID);
    expect(partner.publicCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$/);
    const days = (Date.parse(partner.inviteExpiresAt) - Date.parse(partner.createdAt)) / 86_400_000;
    expect(days).toBe(14);

    const mail = await inviteMail('celik@example.com');
    expect(mail.subject).toBe('Your invitation to become a Fonella partner');
    const prefix = `${appConfig().partnerPortalUrl}/activate?invite=`;
    const found = new RegExp(`^${prefix.replace(/[.?]/g, '\\$&')}([A-Za-z0-9_-]{43})$`, 'm').exec(mail.text!);
    expect(found, mail.text).not.toBeNull();
    const token = found![1]!;
    expect(mail.html).toContain(`href="${prefix}${token}"`);
    expect(mail.text).toContain('12.5 %');

    await settle(stack);
    const all = JSON.stringify(await stack.scan());
    expect(all).not.toContain(token);
    const partners = partnersRepository(stack.table);
    const stored = await partners.get(partner.partnerId);
    expect(stored).toMatchObject({ inviteTokenHash: hashInviteToken(token), inviteMailId: mail.id, status: 'invited', invitedBy: 'auth0|demo-admin' });
    expect((await partners.findByInviteTokenHash(hashInviteToken(token)))?.partnerId).toBe(partner.partnerId);
    expect(await partners.findByInviteTokenHash(hashInviteToken(`${token}x`))).toBeUndefined();
    expect((await partners.findByPublicCode(partner.publicCode))?.partnerId).toBe(partner.partnerId);
    expect(await partners.findByPublicCode('ZZZZZZZZ')).toBeUndefined();

    // One email per partner, however often the row's record comes again.
    expect((await stack.mails()).filter((m) => m.to.includes('celik@example.com'))).toHaveLength(1);
    const listed = await stack.call('GET', `${PATH}?limit=25`, { token: stack.tokens.admin });
    expect(listed.body.items.find((p: { partnerId: string }) => p.partnerId === partner.partnerId)?.inviteSentAt).toBe(stored?.inviteSentAt);
  });

  it('each partner gets a code of its own', async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await invite({ name: `Partner ${i}`, email: `p${i}@example.com`, commissionPercent: i * 10 });
      expect(res.status).toBe(201);
      codes.add(res.body.publicCode);
    }
    expect(codes.size).toBe(5);
  });

  it.each([
    ['no name', { email: 'a@example.com', commissionPercent: 10 }, 'name'],
    ['a blank name', { name: '  ', email: 'a@example.com', commissionPercent: 10 }, 'name'],
    ['a bad email', { name: 'A', email: 'not-an-email', commissionPercent: 10 }, 'email'],
    ['a commission over 100', { name: 'A', email: 'a@example.com', commissionPercent: 100.5 }, 'commissionPercent'],
    ['a negative commission', { name: 'A', email: 'a@example.com', commissionPercent: -1 }, 'commissionPercent'],
    ['a commission as text', { name: 'A', email: 'a@example.com', commissionPercent: '10' }, 'commissionPercent'],
    ['an unknown field', { name: 'A', email: 'a@example.com', commissionPercent: 10, iban: 'x' }, 'iban'],
  ])('%s is 400 naming the field, and nothing is written or sent', async (_label, body, field) => {
    const before = await settle(stack);
    const res = await invite(body);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:fonella:problem:validation');
    expect(JSON.stringify(res.body.errors)).toContain(field);
    await settle(stack);
    await expectUnchanged(stack, before, 'invalid invite');
  });
});

describe('GET /v1/admin/partners', () => {
  it('pages through every partner once, newest first', async () => {
    const seen: { partnerId: string; createdAt: string }[] = [];
    let cursor: string | null = null;
    do {
      const res = await stack.call('GET', `${PATH}?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: stack.tokens.admin });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    const rows = (await stack.scan()).filter((r) => String(r.pk).startsWith('PARTNER#'));
    expect(seen.map((p) => p.partnerId).sort()).toEqual(rows.map((r) => String(r.partnerId)).sort());
    expect(new Set(seen.map((p) => p.partnerId)).size).toBe(seen.length);
    const times = seen.map((p) => p.createdAt);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('a forged cursor is 400 invalid-cursor', async () => {
    const forged = Buffer.from(JSON.stringify({ pk: 'USER#x', sk: 'SETTINGS', gsi2pk: 'PARTNERS', gsi2sk: '2026-01-01T00:00:00.000Z#x' })).toString('base64url');
    const res = await stack.call('GET', `${PATH}?cursor=${forged}`, { token: stack.tokens.admin });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:fonella:problem:invalid-cursor');
  });
});

describe('PATCH /v1/admin/partners/{partnerId}', () => {
  it('changes the commission and the status', async () => {
    const path = `${PATH}/${DEMO_PARTNER.partnerId}`;
    const res = await stack.call('PATCH', path, { token: stack.tokens.admin, body: { commissionPercent: 0, status: 'disabled' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ partnerId: DEMO_PARTNER.partnerId, commissionPercent: 0, status: 'disabled', activated: false, inviteExpiresAt: null });
    const again = await stack.call('PATCH', path, { token: stack.tokens.admin, body: { status: 'active' } });
    expect(again.body).toMatchObject({ commissionPercent: 0, status: 'active' });
    expect(Date.parse(again.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(res.body.updatedAt));
  });

  it('an unknown partner is 404 and nothing is created', async () => {
    const before = await settle(stack);
    const res = await stack.call('PATCH', `${PATH}/00000000-0000-4000-8000-000000000999`, { token: stack.tokens.admin, body: { commissionPercent: 5 } });
    expect(res.status).toBe(404);
    expect(res.body.type).toBe('urn:fonella:problem:not-found');
    await expectUnchanged(stack, before, 'unknown partner');
  });

  it.each([[{}], [{ commissionPercent: 101 }], [{ status: 'invited' }], [{ status: null }]])('%j is 400', async (body) => {
    const res = await stack.call('PATCH', `${PATH}/${DEMO_PARTNER.partnerId}`, { token: stack.tokens.admin, body });
    expect(res.status).toBe(400);
  });
});

describe('a customer token', () => {
  it('is 403 admin-required on every partner route, and changes nothing', async () => {
    const before = await settle(stack);
    for (const [method, path, body] of [
      ['POST', PATH, { name: 'X', email: 'x@example.com', commissionPercent: 1 }],
      ['GET', PATH, undefined],
      ['PATCH', `${PATH}/${DEMO_PARTNER.partnerId}`, { status: 'disabled' }],
    ] as const) {
      const res = await stack.call(method, path, { token: stack.tokens.customer, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.type).toBe('urn:fonella:problem:admin-required');
    }
    await expectUnchanged(stack, before, 'customer on partner routes');
  });
});
