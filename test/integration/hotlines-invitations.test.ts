// Organisation membership is an invitation, and consent is per organisation, through the local runtime
// against the jambonz emulator: a stranger who adds a user by their Auth0 id gets nothing of theirs
// (no phones, no agent, no ringing) until the user accepts and allows that organisation; consent for
// one organisation gives another nothing and can be withdrawn; call logs show other members' phones
// masked. The demo of `npm start` (its partner a consenting member of the customer's organisation) is
// the user who already allows their own organisation's admins.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../lib/local/stack';
import { seedDemoHotline } from '../../lib/local/seed-hotlines';
import { addHotlineNumbers, uniqueAreaCode } from '../support/hotline-numbers';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { newUser } from '../support/users';
import { expectUnchanged, settle } from '../support/state';

let stack: TestStack;
const tokens: Record<string, string> = {};
const subs: Record<string, string> = {};

const call = (token: string, method: string, path: string, body?: unknown) => stack.call(method, path, { token, body });
const as = (who: string) => tokens[who]!;
const accept = (who: string, org: number) => call(as(who), 'POST', `/v1/me/organization-invitations/${org}/accept`);
const decline = (who: string, org: number) => call(as(who), 'POST', `/v1/me/organization-invitations/${org}/decline`);
const allow = (who: string, org: number, value: boolean) => call(as(who), 'PUT', '/v1/me/organization-access', { allow: value, organizationID: org });
const phonesOf = (who: string, owner: number, org: number) => stack.call('GET', `/v1/agent-phones?owner_id=${owner}&organization_id=${org}`, { token: as(who) });

async function simulate(body: Record<string, unknown>) {
  const res = await fetch(`${stack.emulators.jambonz}/_simulate/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as { callSid: string; answeredBy: string | null; trace: string[] };
}

async function newOrganization(who: string, name: string): Promise<number> {
  const res = await call(as(who), 'POST', '/v1/organizations', { name });
  expect(res.status).toBe(201);
  return res.body.id as number;
}

async function activeHotline(who: string, id: number) {
  return waitFor(`hotline ${id} active`, async () => {
    const res = await call(as(who), 'GET', `/v1/hotlines/${id}`);
    return res.body.status === 'active' ? res.body : undefined;
  }, 10_000);
}

/** The demo organisation ("Demo fire brigade", run by the demo customer) and its hotline. */
async function demo() {
  const me = (await call(as('customer'), 'GET', '/v1/me')).body;
  const org = me.hotlines.organizations.find((o: { name: string }) => o.name === 'Demo fire brigade').organizationID as number;
  const hotline = (await call(as('customer'), 'GET', `/v1/hotlines?organization_id=${org}`)).body.hotlines[0].id as number;
  return { org, hotline: await activeHotline('customer', hotline), customerID: me.hotlines.userID as number };
}

beforeAll(async () => {
  stack = await workerStack();
  tokens.customer = stack.tokens.customer;
  tokens.partner = stack.tokens.partner;
  for (const who of ['stranger', 'victim', 'admin', 'invitee', 'other']) {
    const u = await newUser(stack, { prefix: `invitations-${who}`, email: null });
    tokens[who] = u.token;
    subs[who] = u.sub;
  }
  await seedDemoHotline(stack.table, stack.running, { admin: DEMO_USERS.customer.sub, member: DEMO_USERS.partner.sub });
});

describe('a stranger who knows a user id', () => {
  it('a stranger who adds a user sees none of their phones until they accept and allow', async () => {
    const { org: demoOrg } = await demo();
    // The victim: the demo partner, a member of "Demo fire brigade" who allows its admins.
    const partnerID = (await call(as('partner'), 'GET', '/v1/me')).body.hotlines.userID as number;
    const phone = await call(as('partner'), 'POST', '/v1/agent-phones', { isActive: true, name: 'Private mobile', phone: '+4915112340001', userID: partnerID });
    expect(phone.status).toBe(201);
    expect((await phonesOf('customer', partnerID, demoOrg)).status).toBe(200);

    const strangerOrg = await newOrganization('stranger', 'Totally real fire brigade');
    const added = await call(as('stranger'), 'POST', `/v1/organizations/${strangerOrg}/members`, { userId: DEMO_USERS.partner.sub });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ organizationID: strangerOrg, userID: partnerID, role: 'member' });

    // Invited is not a member: nothing of theirs to read, add or change, and nothing written.
    const before = await settle(stack);
    const read = await phonesOf('stranger', partnerID, strangerOrg);
    expect(read.status).toBe(403);
    expect(read.body.type).toBe('urn:fonella:problem:not-a-member');
    const rewrite = await stack.call('PUT', `/v1/agent-phones/${phone.body.id}?organization_id=${strangerOrg}`, {
      token: as('stranger'),
      body: { isActive: true, name: 'Private mobile', phone: '+4915199990000', userID: partnerID },
    });
    expect(rewrite.status).toBe(403);
    const add = await stack.call('POST', `/v1/agent-phones?organization_id=${strangerOrg}`, { token: as('stranger'), body: { isActive: true, name: 'x', phone: '+4915199990000', userID: partnerID } });
    expect(add.status).toBe(403);
    await expectUnchanged(stack, before, "a stranger on an invitee's phones");
    expect(added.body.status).toBe('invited');

    // The invitation waits under GET /v1/me; accepting it makes a member, still without consent.
    const me = (await call(as('partner'), 'GET', '/v1/me')).body.hotlines;
    expect(me.invitations).toContainEqual({ organizationID: strangerOrg, name: 'Totally real fire brigade', role: 'member', invitedAt: expect.any(String) });
    expect(me.organizations.map((o: { organizationID: number }) => o.organizationID)).not.toContain(strangerOrg);
    const accepted = await accept('partner', strangerOrg);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ organizationID: strangerOrg, name: 'Totally real fire brigade', role: 'member', allowAdmins: false });
    // The consent for the demo organisation does not carry over.
    const noConsent = await phonesOf('stranger', partnerID, strangerOrg);
    expect(noConsent.status).toBe(403);
    expect(noConsent.body.type).toBe('urn:fonella:problem:member-consent-required');

    // Allowed for this organisation: its admin reaches the phones; withdrawn: no longer.
    const allowed = await allow('partner', strangerOrg, true);
    expect(allowed.status).toBe(200);
    expect(allowed.body.organizations).toContainEqual({ organizationID: strangerOrg, name: 'Totally real fire brigade', role: 'member', allowAdmins: true });
    expect(allowed.body.organizations).toContainEqual(expect.objectContaining({ organizationID: demoOrg, allowAdmins: true }));
    expect((await phonesOf('stranger', partnerID, strangerOrg)).body.map((p: { id: number }) => p.id)).toContain(phone.body.id);
    expect((await allow('partner', strangerOrg, false)).status).toBe(200);
    const withdrawn = await phonesOf('stranger', partnerID, strangerOrg);
    expect(withdrawn.status).toBe(403);
    expect(withdrawn.body.type).toBe('urn:fonella:problem:member-consent-required');
    // The demo organisation's admins keep what the partner allowed them.
    expect((await phonesOf('customer', partnerID, demoOrg)).status).toBe(200);
  });

  it("a stranger cannot have a user's phones rung: an invitee is refused as an agent (409), and a member's phones ring only while they allow the organisation", async () => {
    await newOrganization('victim', "The victim's own brigade");
    const victimID = (await call(as('victim'), 'GET', '/v1/me')).body.hotlines.userID as number;
    expect((await call(as('victim'), 'POST', '/v1/agent-phones', { isActive: true, name: 'Mobile', phone: '+4915112340002', userID: victimID })).status).toBe(201);
    const org = await newOrganization('stranger', 'Stranger line service');
    // An area code of this test's own, with the one number its hotline takes.
    const area = uniqueAreaCode();
    await addHotlineNumbers(stack, area);
    const sip = { city: 'Berlin', cityCode: `0${area}`, country: 'DE', name: 'Stranger line service', organizationID: org, street: 'Hauptstr.', streetHousenumber: 1 };
    expect((await call(as('stranger'), 'POST', '/v1/organizations/sip-account', sip)).status).toBe(201);
    expect((await call(as('stranger'), 'POST', `/v1/organizations/${org}/members`, { userId: subs.victim })).status).toBe(201);
    const hotline = { agents: [victimID], isActive: true, name: 'Stranger line', organizationID: org, ttsInbound: 'Stranger line.' };

    const before = await settle(stack);
    const refused = await call(as('stranger'), 'POST', '/v1/hotlines', hotline);
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('urn:fonella:problem:agent-not-member');
    await expectUnchanged(stack, before, 'an invitee named as an agent');

    // Accepted, without consent: an agent, whose phones do not ring.
    expect((await accept('victim', org)).status).toBe(200);
    const created = await call(as('stranger'), 'POST', '/v1/hotlines', hotline);
    expect(created.status).toBe(201);
    const { number } = await activeHotline('stranger', created.body.id);
    const dials = (trace: string[]) => trace.filter((t) => t.startsWith('dial'));
    const silent = await simulate({ to: number, durationSeconds: 10 });
    expect(dials(silent.trace)).toEqual([]);
    expect(silent.trace).toContain('hangup');

    // Allowed: they ring. Withdrawn: they stop. (Once the stream has brought the hotline's ring list
    // in step with the member row: about a second on AWS.)
    expect((await allow('victim', org, true)).status).toBe(200);
    await settle(stack);
    const rung = await simulate({ to: number, durationSeconds: 10 });
    expect(dials(rung.trace)).toEqual(['dial +4915112340002: answered']);
    expect((await allow('victim', org, false)).status).toBe(200);
    await settle(stack);
    expect(dials((await simulate({ to: number, durationSeconds: 10 })).trace)).toEqual([]);

    // The one call that rang the victim shows their number to the stranger only masked.
    await settle(stack);
    const logs = (await call(as('stranger'), 'GET', `/v1/hotlines/${created.body.id}/call-logs`)).body.callLogs as { entries: { agentPhone: string | null }[] }[];
    const phones = logs.flatMap((l) => l.entries.map((e) => e.agentPhone)).filter((p) => p !== null);
    expect(phones.length).toBeGreaterThan(0);
    expect(phones.every((p) => p === '+491********02')).toBe(true);
  });
});

describe('call logs', () => {
  it("call logs show another member's phone masked; its owner sees it whole", async () => {
    const { hotline, customerID } = await demo();
    const res = await simulate({ to: hotline.number, durationSeconds: 20 });
    expect(res.answeredBy).toBe('+4924155660');
    await settle(stack);
    const byOwner = (await call(as('customer'), 'GET', `/v1/hotlines/${hotline.id}/call-logs?limit=1`)).body.callLogs[0];
    const dialled = byOwner.entries.filter((e: { action: string }) => e.action === 'dial');
    expect(dialled).toEqual([expect.objectContaining({ agentPhone: '+4924155660', userID: customerID })]);
    // The demo partner, a member of the organisation, sees the customer's phone masked, in the list and the log alike.
    const byMember = (await call(as('partner'), 'GET', `/v1/hotlines/${hotline.id}/call-logs?limit=1`)).body.callLogs[0];
    expect(byMember.id).toBe(byOwner.id);
    const phones = byMember.entries.map((e: { agentPhone: string | null }) => e.agentPhone).filter((p: string | null) => p !== null);
    expect(phones.length).toBeGreaterThan(0);
    expect(new Set(phones)).toEqual(new Set(['+492*****60']));
    expect((await call(as('partner'), 'GET', `/v1/hotlines/${hotline.id}/call-logs/${byOwner.id}`)).body).toEqual(byMember);
  });
});

describe('invitations', () => {
  it('an invitation is listed under GET /v1/me until answered; only the invitee answers it; declined, it is gone and may come again', async () => {
    const org = await newOrganization('admin', 'Mountain rescue');
    const invited = await call(as('admin'), 'POST', `/v1/organizations/${org}/members`, { userId: subs.invitee });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ organizationID: org, role: 'member', status: 'invited' });
    const again = await call(as('admin'), 'POST', `/v1/organizations/${org}/members`, { userId: subs.invitee });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:fonella:problem:invitation-pending');
    const me = (await call(as('invitee'), 'GET', '/v1/me')).body.hotlines;
    expect(me).toMatchObject({ userID: invited.body.userID, allowOrganizationAdmins: false, organizations: [], invitations: [{ organizationID: org, name: 'Mountain rescue', role: 'member' }] });

    // Until accepted, the organisation is not the invitee's (404 as a missing one); nobody else answers the invitation.
    const before = await settle(stack);
    expect((await call(as('invitee'), 'GET', `/v1/hotlines?organization_id=${org}`)).status).toBe(404);
    expect((await call(as('invitee'), 'GET', `/v1/organizations/${org}/sip-account`)).status).toBe(404);
    expect((await allow('invitee', org, true)).status).toBe(404);
    for (const res of [await accept('other', org), await decline('other', org), await accept('invitee', 999_999), await decline('invitee', 999_999)]) {
      expect(res.status).toBe(404);
      expect(res.body.type).toBe('urn:fonella:problem:not-found');
    }
    await expectUnchanged(stack, before, 'answers to an invitation that is not theirs');

    expect((await decline('invitee', org)).status).toBe(204);
    expect((await call(as('invitee'), 'GET', '/v1/me')).body.hotlines.invitations).toEqual([]);
    expect((await decline('invitee', org)).status).toBe(404);
    expect((await accept('invitee', org)).status).toBe(404);

    // Invited again, as an admin this time: accepted, a member with that role (accepting twice answers the same).
    expect((await call(as('admin'), 'POST', `/v1/organizations/${org}/members`, { userId: subs.invitee, role: 'admin' })).status).toBe(201);
    const accepted = await accept('invitee', org);
    expect(accepted.body).toEqual({ organizationID: org, name: 'Mountain rescue', role: 'admin', allowAdmins: false });
    expect((await accept('invitee', org)).body).toEqual(accepted.body);
    expect((await decline('invitee', org)).status).toBe(404);
    const member = await call(as('admin'), 'POST', `/v1/organizations/${org}/members`, { userId: subs.invitee });
    expect(member.status).toBe(409);
    expect(member.body.type).toBe('urn:fonella:problem:member-exists');
    expect((await call(as('invitee'), 'GET', '/v1/me')).body.hotlines).toMatchObject({
      organizations: [{ organizationID: org, name: 'Mountain rescue', role: 'admin', allowAdmins: false }],
      invitations: [],
    });
    expect((await call(as('invitee'), 'GET', `/v1/hotlines?organization_id=${org}`)).status).toBe(200);
  });

  it('the single-consent body (no organisation) allows the organisations the caller is a member of now, not one joined later, and withdraws from all', async () => {
    const first = await newOrganization('admin', 'Water rescue');
    const second = await newOrganization('admin', 'Air rescue');
    expect((await call(as('admin'), 'POST', `/v1/organizations/${first}/members`, { userId: subs.other })).status).toBe(201);
    expect((await accept('other', first)).status).toBe(200);
    const all = await call(as('other'), 'PUT', '/v1/me/organization-access', { allow: true });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ allow: true, organizations: [{ organizationID: first, allowAdmins: true }] });
    expect((await call(as('other'), 'GET', '/v1/me')).body.hotlines.allowOrganizationAdmins).toBe(true);

    expect((await call(as('admin'), 'POST', `/v1/organizations/${second}/members`, { userId: subs.other })).status).toBe(201);
    expect((await accept('other', second)).body.allowAdmins).toBe(false);
    const me = (await call(as('other'), 'GET', '/v1/me')).body.hotlines;
    expect(me.allowOrganizationAdmins).toBe(false);
    expect(me.organizations).toEqual([
      { organizationID: first, name: 'Water rescue', role: 'member', allowAdmins: true },
      { organizationID: second, name: 'Air rescue', role: 'member', allowAdmins: false },
    ]);
    const none = await call(as('other'), 'PUT', '/v1/me/organization-access', { allow: false });
    expect(none.body.organizations.map((o: { allowAdmins: boolean }) => o.allowAdmins)).toEqual([false, false]);
  });
});
