// The first-responder hotline service through the local runtime, against the jambonz emulator:
// organisations (members join by accepting an invitation) and the scoping rule, the seed's limits, the
// SIP account, provisioning (and its failure and retry), a simulated inbound call into call logs (other
// members' phones masked) and a billing record, pausing, and the hooks' signature. Invitations and
// per-organisation consent in depth: hotlines-invitations.test.ts; the hotline number pool (waiting for
// a number, the admins' email, the import): hotline-numbers.test.ts. This file's organisation has an
// area code of its own, which gets the numbers its hotlines take.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../lib/local/stack';
import { seedDemoHotline } from '../../lib/local/seed-hotlines';
import { signJambonzBody } from '../../shared/providers/jambonz/signature';
import { HOTLINE_CARRIER_NAME } from '../../shared/domain/hotline-numbers';
import { createSipAccount } from '../../shared/domain/hotlines';
import { hotlineConfig } from '../../shared/config/hotlines';
import { itemsReader } from '../../shared/db/get-items';
import { organizationsRepository, type OrganizationsRepository } from '../../shared/db/organizations';
import { TableUnavailableError } from '../../shared/errors';
import { configuredJambonz } from '../../shared/providers/jambonz';
import { addHotlineNumbers, uniqueAreaCode } from '../support/hotline-numbers';
import { answerLost } from '../support/late-answer';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { newUser } from '../support/users';
import { expectUnchanged, settle } from '../support/state';

let stack: TestStack;
const tokens: Record<string, string> = {};
/** Their Auth0 ids (an admin adds a member by it). */
const subs: Record<string, string> = {};
const ids: Record<string, number> = {};
let org = 0;
let otherOrg = 0;
/** The organisation's area code: no other file's. */
const AREA = uniqueAreaCode();
/** The pool number the first hotline got. */
let hotlineNumber = '';

const as = (who: string) => ({ token: tokens[who]! });
const call = (who: string, method: string, path: string, body?: unknown) => stack.call(method, path, { ...as(who), body });

async function simulate(body: Record<string, unknown>) {
  const res = await fetch(`${stack.emulators.jambonz}/_simulate/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { callSid: string; answeredBy: string | null; trace: string[] } };
}

const hotlineBody = (extra: Record<string, unknown> = {}) => ({ agents: [ids.member!, ids.admin!], isActive: true, name: 'Night line', organizationID: org, ...extra });

async function activeHotline(id: number) {
  return waitFor(`hotline ${id} active`, async () => {
    const res = await call('admin', 'GET', `/v1/hotlines/${id}`);
    return res.body.status === 'active' ? res.body : undefined;
  }, 10_000);
}

beforeAll(async () => {
  stack = await workerStack();
  for (const who of ['admin', 'member', 'outsider', 'plain']) {
    const u = await newUser(stack, { prefix: `hotline-${who}`, email: null });
    tokens[who] = u.token;
    subs[who] = u.sub;
  }
});

describe('organisations and members', () => {
  it('the creator becomes admin and gets an integer user id, shown on GET /v1/me', async () => {
    const before = await call('admin', 'GET', '/v1/me');
    expect(before.body.hotlines).toBeNull();
    const res = await call('admin', 'POST', '/v1/organizations', { name: 'Fire brigade Aachen' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Fire brigade Aachen', role: 'admin' });
    org = res.body.id;
    const me = await call('admin', 'GET', '/v1/me');
    expect(me.body.hotlines).toMatchObject({ allowOrganizationAdmins: false, organizations: [{ organizationID: org, role: 'admin', name: 'Fire brigade Aachen', allowAdmins: false }], invitations: [] });
    ids.admin = me.body.hotlines.userID;
    expect(Number.isInteger(ids.admin)).toBe(true);
  });

  it('an admin invites members by Auth0 id (their integer id is allocated once); they are members once they accept', async () => {
    const res = await call('admin', 'POST', `/v1/organizations/${org}/members`, { userId: subs.member });
    expect(res.status).toBe(201);
    ids.member = res.body.userID;
    expect(res.body).toMatchObject({ organizationID: org, role: 'member', status: 'invited' });
    const invited = await call('member', 'GET', '/v1/me');
    expect(invited.body.hotlines).toMatchObject({ userID: ids.member, organizations: [], invitations: [{ organizationID: org, role: 'member', name: 'Fire brigade Aachen' }] });
    const accepted = await call('member', 'POST', `/v1/me/organization-invitations/${org}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ organizationID: org, name: 'Fire brigade Aachen', role: 'member', allowAdmins: false });
    const again = await call('admin', 'POST', `/v1/organizations/${org}/members`, { userId: subs.member });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:fonella:problem:member-exists');
    const me = await call('member', 'GET', '/v1/me');
    expect(me.body.hotlines).toMatchObject({ userID: ids.member, organizations: [{ organizationID: org, role: 'member', allowAdmins: false }], invitations: [] });
  });

  it('a member cannot add members (403); an outsider does not see the organisation (404, as a missing one)', async () => {
    const byMember = await call('member', 'POST', `/v1/organizations/${org}/members`, { userId: 'auth0|someone' });
    expect(byMember.status).toBe(403);
    expect(byMember.body.type).toBe('urn:fonella:problem:organization-admin-required');
    const before = await settle(stack);
    const byOutsider = await call('outsider', 'POST', `/v1/organizations/${org}/members`, { userId: 'auth0|someone' });
    const missing = await call('outsider', 'POST', '/v1/organizations/999999/members', { userId: 'auth0|someone' });
    expect([byOutsider.status, missing.status]).toEqual([404, 404]);
    expect(byOutsider.body).toEqual(missing.body);
    await expectUnchanged(stack, before, 'refused member additions');
    const other = await call('outsider', 'POST', '/v1/organizations', { name: 'Rescue service' });
    otherOrg = other.body.id;
    ids.outsider = (await call('outsider', 'GET', '/v1/me')).body.hotlines.userID;
  });
});

describe('agent phones: own resources, and an admin with organization_id and consent', () => {
  it('a user adds and lists their own phones; the number is stored in E.164', async () => {
    const res = await call('member', 'POST', '/v1/agent-phones', { isActive: true, name: 'Mobile', phone: '004915112345678', userID: ids.member });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ phone: '+4915112345678', userID: ids.member, isActive: true });
    ids.memberPhone1 = res.body.id;
    const list = await stack.call('GET', `/v1/agent-phones?owner_id=${ids.member}`, as('member'));
    expect(list.status).toBe(200);
    expect(list.body.map((p: { id: number }) => p.id)).toEqual([ids.memberPhone1]);
    const bad = await call('member', 'POST', '/v1/agent-phones', { isActive: true, name: 'Premium', phone: '+4990012345678', userID: ids.member });
    expect(bad.status).toBe(400);
  });

  it("an admin without organization_id, or without the member's consent, is refused (403)", async () => {
    const before = await settle(stack);
    const noOrg = await stack.call('GET', `/v1/agent-phones?owner_id=${ids.member}`, as('admin'));
    expect(noOrg.status).toBe(403);
    expect(noOrg.body.type).toBe('urn:fonella:problem:not-your-resource');
    const noConsent = await stack.call('GET', `/v1/agent-phones?owner_id=${ids.member}&organization_id=${org}`, as('admin'));
    expect(noConsent.status).toBe(403);
    expect(noConsent.body.type).toBe('urn:fonella:problem:member-consent-required');
    const create = await stack.call('POST', `/v1/agent-phones?organization_id=${org}`, { ...as('admin'), body: { isActive: true, name: 'Desk', phone: '+4924155660', userID: ids.member } });
    expect(create.status).toBe(403);
    await expectUnchanged(stack, before, 'refused admin access without consent');
  });

  it('with consent the admin lists, adds and changes the member\'s phones through the organisation', async () => {
    const consent = await call('member', 'PUT', '/v1/me/organization-access', { allow: true, organizationID: org });
    expect(consent.body).toEqual({ userID: ids.member, allow: true, organizations: [{ organizationID: org, name: 'Fire brigade Aachen', role: 'member', allowAdmins: true }] });
    const create = await stack.call('POST', `/v1/agent-phones?organization_id=${org}`, { ...as('admin'), body: { isActive: true, name: 'Desk', phone: '+4924155660', userID: ids.member } });
    expect(create.status).toBe(201);
    ids.memberPhone2 = create.body.id;
    const inactive = await call('member', 'POST', '/v1/agent-phones', { isActive: false, name: 'Old', phone: '+4924155661', userID: ids.member });
    ids.memberPhone3 = inactive.body.id;
    const list = await stack.call('GET', `/v1/agent-phones?owner_id=${ids.member}&organization_id=${org}`, as('admin'));
    expect(list.body.map((p: { id: number }) => p.id)).toEqual([ids.memberPhone1, ids.memberPhone2, ids.memberPhone3]);
    const put = await stack.call('PUT', `/v1/agent-phones/${ids.memberPhone2}?organization_id=${org}`, { ...as('admin'), body: { isActive: true, name: 'Desk 2', phone: '+4924155660', userID: ids.member } });
    expect(put.status).toBe(200);
    expect(put.body.name).toBe('Desk 2');
    const moved = await call('member', 'PUT', `/v1/agent-phones/${ids.memberPhone2}`, { isActive: true, name: 'Desk', phone: '+4924155660', userID: ids.admin });
    expect(moved.status).toBe(400);
  });

  it('the other direction: a member is no admin, and another organisation is not found', async () => {
    const adminPhone = await call('admin', 'POST', '/v1/agent-phones', { isActive: true, name: 'Admin mobile', phone: '+4915199999999', userID: ids.admin });
    ids.adminPhone = adminPhone.body.id;
    expect((await call('admin', 'PUT', '/v1/me/organization-access', { allow: true, organizationID: org })).status).toBe(200);
    const before = await settle(stack);
    const byMember = await stack.call('GET', `/v1/agent-phones?owner_id=${ids.admin}&organization_id=${org}`, as('member'));
    expect(byMember.status).toBe(403);
    expect(byMember.body.type).toBe('urn:fonella:problem:organization-admin-required');
    const byOutsider = await stack.call('GET', `/v1/agent-phones?owner_id=${ids.member}&organization_id=${org}`, as('outsider'));
    expect(byOutsider.status).toBe(404);
    const ownOrg = await stack.call('GET', `/v1/agent-phones?owner_id=${ids.member}&organization_id=${otherOrg}`, as('outsider'));
    expect(ownOrg.status).toBe(403);
    expect(ownOrg.body.type).toBe('urn:fonella:problem:not-a-member');
    const put = await call('outsider', 'PUT', `/v1/agent-phones/${ids.memberPhone1}`, { isActive: false, name: 'x', phone: '+4915112345678', userID: ids.member });
    expect(put.status).toBe(403);
    const unknown = await call('member', 'PUT', '/v1/agent-phones/987654', { isActive: false, name: 'x', phone: '+4915112345678', userID: ids.member });
    const notAnId = await call('member', 'PUT', '/v1/agent-phones/abc', { isActive: false, name: 'x', phone: '+4915112345678', userID: ids.member });
    expect([unknown.status, notAnId.status]).toEqual([404, 404]);
    await expectUnchanged(stack, before, 'refused phone access');
  });
});

describe('the SIP account and hotlines', () => {
  const sip = () => ({ city: 'Aachen', cityCode: `0${AREA}`, country: 'DE', name: 'Fire brigade Aachen', organizationID: org, street: 'Stolberger Str.', streetHousenumber: 155 });

  it('a hotline before the SIP account: 409 sip-account-required, nothing stored', async () => {
    const before = await settle(stack);
    const res = await call('admin', 'POST', '/v1/hotlines', hotlineBody());
    expect(res.status).toBe(409);
    expect(res.body.type).toBe('urn:fonella:problem:sip-account-required');
    expect((await call('admin', 'GET', `/v1/organizations/${org}/sip-account`)).body).toEqual({ exists: false });
    await expectUnchanged(stack, before, 'hotline before the SIP account');
  });

  it('the SIP account is a jambonz carrier with a SIP gateway; admins only, once; answered as the seed does', async () => {
    const byMember = await call('member', 'POST', '/v1/organizations/sip-account', sip());
    expect(byMember.status).toBe(403);
    // A country without a numbering plan (two capitals, as the schema takes): 400, nothing made.
    const noPlan = await call('admin', 'POST', '/v1/organizations/sip-account', { ...sip(), country: 'ZZ' });
    expect(noPlan.status).toBe(400);
    expect(noPlan.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.country']);
    expect((await call('admin', 'GET', `/v1/organizations/${org}/sip-account`)).body).toEqual({ exists: false });
    const res = await call('admin', 'POST', '/v1/organizations/sip-account', sip());
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ exists: true });
    // A repeat with the same data is the same request: 200, the same body, nothing made twice.
    const again = await call('admin', 'POST', '/v1/organizations/sip-account', sip());
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ exists: true });
    // Other data for an organisation that has its account: 409, nothing changed.
    const other = await call('admin', 'POST', '/v1/organizations/sip-account', { ...sip(), street: 'Other Str.' });
    expect(other.status).toBe(409);
    expect(other.body.type).toBe('urn:fonella:problem:sip-account-exists');
    expect((await call('member', 'GET', `/v1/organizations/${org}/sip-account`)).body).toEqual({ exists: true });
    expect((await call('outsider', 'GET', `/v1/organizations/${org}/sip-account`)).status).toBe(404);
    const jambonz = await stack.inspect<{ carriers: { voip_carrier_sid: string; name: string }[]; sipGateways: { voip_carrier_sid: string; ipv4: string }[] }>('jambonz');
    const carrier = jambonz.carriers.find((c) => c.name === `fonella-org-${org}`)!;
    expect(jambonz.sipGateways.filter((g) => g.voip_carrier_sid === carrier.voip_carrier_sid)).toHaveLength(1);
  });

  it('agents must be members of the organisation (409); an invitee is none until they accept', async () => {
    const res = await call('admin', 'POST', '/v1/hotlines', hotlineBody({ agents: [ids.member, ids.outsider] }));
    expect(res.status).toBe(409);
    expect(res.body.type).toBe('urn:fonella:problem:agent-not-member');
    const plain = await call('admin', 'POST', `/v1/organizations/${org}/members`, { userId: subs.plain });
    expect(plain.status).toBe(201);
    const invitee = await call('admin', 'POST', '/v1/hotlines', hotlineBody({ agents: [ids.member, plain.body.userID] }));
    expect(invitee.status).toBe(409);
    expect(invitee.body.type).toBe('urn:fonella:problem:agent-not-member');
  });

  it('a hotline is stored as created and provisioned by the stream: its area\'s pool number on Fonella\'s carrier and a jambonz application with our hooks', async () => {
    const [number] = await addHotlineNumbers(stack, AREA);
    const res = await call('admin', 'POST', '/v1/hotlines', hotlineBody({ ttsInbound: 'You reached the night line.', ttsOutbound: 'Emergency call from the night line.' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'created', number: null, channelsInbound: 10, channelsOutbound: 10 });
    ids.hotline = res.body.id;
    const active = await activeHotline(ids.hotline!);
    expect(active.number).toBe(number);
    hotlineNumber = number!;
    const jambonz = await stack.inspect<{
      applications: { application_sid: string; call_hook: { url: string }; call_status_hook: { url: string } }[];
      phoneNumbers: { number: string; application_sid: string; voip_carrier_sid: string }[];
      carriers: { voip_carrier_sid: string; name: string }[];
    }>('jambonz');
    const phone = jambonz.phoneNumbers.find((p) => `+${p.number}` === active.number)!;
    expect(jambonz.carriers.find((c) => c.voip_carrier_sid === phone.voip_carrier_sid)?.name).toBe(HOTLINE_CARRIER_NAME);
    const app = jambonz.applications.find((a) => a.application_sid === phone.application_sid)!;
    expect(app.call_hook.url).toBe(`${stack.apiUrl}/v1/webhooks/jambonz/hotlines/${ids.hotline}/call`);
    expect(app.call_status_hook.url).toBe(`${stack.apiUrl}/v1/webhooks/jambonz/hotlines/${ids.hotline}/status`);
  });

  it('a provisioning failure marks the hotline failed with the reason (keeping its number); the stream retries it', async () => {
    const numbers = await addHotlineNumbers(stack, AREA, 3);
    await stack.fault('jambonz', { mode: 'error', count: 1000, match: '/Applications' });
    const res = await call('admin', 'POST', '/v1/hotlines', hotlineBody({ name: 'Failing line' }));
    const id = res.body.id as number;
    await waitFor('the record parked', async () => stack.streams.parked().some((p) => p.worker === 'provisionHotline'), 15_000);
    const failed = await call('admin', 'GET', `/v1/hotlines/${id}`);
    expect(failed.body).toMatchObject({ status: 'failed' });
    expect(numbers).toContain(failed.body.number);
    expect(failed.body.failureReason).toMatch(/jambonz/);
    await fetch(`${stack.emulators.jambonz}/_faults`, { method: 'DELETE' });
    expect(stack.streams.redrive()).toBeGreaterThan(0);
    expect((await activeHotline(id)).number).toBe(failed.body.number);

    // A change to a failed hotline provisions it again.
    await stack.fault('jambonz', { mode: 'error', count: 1000, match: '/Applications' });
    const second = await call('admin', 'POST', '/v1/hotlines', hotlineBody({ name: 'Failing line 2' }));
    await waitFor('the record parked', async () => stack.streams.parked().some((p) => p.worker === 'provisionHotline'), 15_000);
    await fetch(`${stack.emulators.jambonz}/_faults`, { method: 'DELETE' });
    const edited = await call('admin', 'PUT', `/v1/hotlines/${second.body.id}`, hotlineBody({ name: 'Failing line 2, fixed' }));
    expect(edited.body.status).toBe('created');
    expect((await activeHotline(second.body.id)).name).toBe('Failing line 2, fixed');
    stack.streams.redrive();

    // A single failure: retried by the stream on its own.
    await stack.fault('jambonz', { mode: 'error', count: 1, match: '/PhoneNumbers' });
    const once = await call('admin', 'POST', '/v1/hotlines', hotlineBody({ name: 'Flaky line' }));
    expect((await activeHotline(once.body.id)).status).toBe('active');
  });

  it('members read hotlines, admins change them, other organisations see nothing', async () => {
    expect((await call('member', 'GET', `/v1/hotlines/${ids.hotline}`)).status).toBe(200);
    const put = await call('member', 'PUT', `/v1/hotlines/${ids.hotline}`, hotlineBody());
    expect(put.status).toBe(403);
    expect(put.body.type).toBe('urn:fonella:problem:organization-admin-required');
    for (const path of [`/v1/hotlines/${ids.hotline}`, `/v1/hotlines/${ids.hotline}/call-logs`, `/v1/hotlines/${ids.hotline}/records`, `/v1/hotlines?organization_id=${org}`]) {
      expect((await call('outsider', 'GET', path)).status, path).toBe(404);
    }
    expect((await call('outsider', 'GET', '/v1/hotlines/424242')).status).toBe(404);
  });
});

describe("the seed's limits", () => {
  const post = (extra: Record<string, unknown>) => call('admin', 'POST', '/v1/hotlines', hotlineBody({ name: 'Limit line', ...extra }));

  it.each([
    ['ttsInbound', 'x'.repeat(300), 'x'.repeat(301)],
    ['ttsOutbound', 'x'.repeat(300), 'x'.repeat(301)],
    ['channelsInbound', 1, 0],
    ['channelsInbound', 100, 101],
    ['channelsOutbound', 1, 0],
    ['channelsOutbound', 100, 101],
  ] as const)('%s: %s accepted, %s refused naming the field', async (field, inside, outside) => {
    const ok = await post({ [field]: inside });
    expect(ok.status).toBe(201);
    expect(ok.body[field]).toBe(inside);
    const bad = await post({ [field]: outside });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain(`body.${field}`);
  });

  it('limit 1..50 (default 10) and offset ≥ 0 on every listing, with the total', async () => {
    for (let i = 0; i < 4; i++) expect((await post({ name: `Extra line ${i}` })).status).toBe(201);
    const all = await call('admin', 'GET', `/v1/hotlines?organization_id=${org}&limit=50`);
    expect(all.status).toBe(200);
    const total = all.body.totalHotlines as number;
    expect(total).toBeGreaterThan(10);
    expect(all.body.hotlines).toHaveLength(total);
    const first = await call('admin', 'GET', `/v1/hotlines?organization_id=${org}`);
    expect(first.body.hotlines).toHaveLength(10);
    const one = await call('admin', 'GET', `/v1/hotlines?organization_id=${org}&limit=1&offset=0`);
    expect(one.body.hotlines.map((h: { id: number }) => h.id)).toEqual([all.body.hotlines[0].id]);
    const last = await call('admin', 'GET', `/v1/hotlines?organization_id=${org}&offset=${total - 1}`);
    expect(last.body).toMatchObject({ totalHotlines: total, hotlines: [{ id: all.body.hotlines[total - 1].id }] });
    for (const base of [`/v1/hotlines?organization_id=${org}&`, `/v1/hotlines/${ids.hotline}/call-logs?`, `/v1/hotlines/${ids.hotline}/records?`]) {
      for (const q of ['limit=1', 'limit=50', 'offset=0']) expect((await call('admin', 'GET', `${base}${q}`)).status, `${base}${q}`).toBe(200);
      for (const [q, field] of [['limit=0', 'limit'], ['limit=51', 'limit'], ['offset=-1', 'offset']] as const) {
        const bad = await call('admin', 'GET', `${base}${q}`);
        expect(bad.status, `${base}${q}`).toBe(400);
        expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain(`query.${field}`);
      }
    }
  });
});

describe('a call to the hotline', () => {
  it("rings the agents' active phones in order; the answering agent hears ttsOutbound; the log and one record follow", async () => {
    const hotline = (await call('admin', 'GET', `/v1/hotlines/${ids.hotline}`)).body;
    const res = await simulate({ to: hotline.number, from: '+4917012345678', answeredBy: '+4924155660', durationSeconds: 125 });
    expect(res.status).toBe(200);
    expect(res.body.trace).toEqual([
      'say: You reached the night line.',
      'dial +4915112345678: no answer after 20 s',
      'dial +4924155660: answered',
      'say to +4924155660: Emergency call from the night line.',
      'hangup',
    ]);
    await settle(stack);
    // The member sees their own phones whole; the admin, another member, sees them masked.
    const logs = await call('member', 'GET', `/v1/hotlines/${ids.hotline}/call-logs`);
    expect(logs.body.totalCallLogs).toBe(1);
    const log = logs.body.callLogs[0];
    expect(log.entries.map((e: { action: string; agentPhone: string | null; userID: number | null }) => [e.action, e.agentPhone, e.userID])).toEqual([
      ['incoming', null, null],
      ['dial', '+4915112345678', ids.member],
      ['ringing', '+4915112345678', ids.member],
      ['no-answer', '+4915112345678', ids.member],
      ['dial', '+4924155660', ids.member],
      ['ringing', '+4924155660', ids.member],
      ['answered', '+4924155660', ids.member],
      ['completed', null, null],
    ]);
    expect(log.entries.map((e: { id: number }) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await call('member', 'GET', `/v1/hotlines/${ids.hotline}/call-logs/${log.id}`)).body).toEqual(log);
    const byAdmin = (await call('admin', 'GET', `/v1/hotlines/${ids.hotline}/call-logs/${log.id}`)).body;
    expect(byAdmin.entries.map((e: { agentPhone: string | null }) => e.agentPhone)).toEqual([null, '+491********78', '+491********78', '+491********78', '+492*****60', '+492*****60', '+492*****60', null]);
    const records = await call('admin', 'GET', `/v1/hotlines/${ids.hotline}/records`);
    expect(records.body.totalRecords).toBe(1);
    const record = records.body.records[0];
    // 125 s are three started minutes at the local rate of 0.05.
    expect(record).toMatchObject({ hotlineID: ids.hotline, destinationNumber: hotline.number, price: 0.15, timeStart: log.startTime });
    expect(Date.parse(record.timeEnd) - Date.parse(record.timeStart)).toBe(125_000);
  });

  it('without answeredBy the first phone answers; a status event delivered again bills nothing twice', async () => {
    const hotline = (await call('admin', 'GET', `/v1/hotlines/${ids.hotline}`)).body;
    const res = await simulate({ to: hotline.number, durationSeconds: 30 });
    expect(res.body.answeredBy).toBe('+4915112345678');
    await settle(stack);
    const body = JSON.stringify({ call_sid: res.body.callSid, direction: 'inbound', call_status: 'completed', duration: 30 });
    const again = await stack.call('POST', `/v1/webhooks/jambonz/hotlines/${ids.hotline}/status`, {
      rawBody: body,
      headers: { 'content-type': 'application/json', 'jambonz-signature': signJambonzBody(body, stack.credentials.jambonz!.webhookSecret!) },
    });
    expect(again.status).toBe(200);
    const records = await call('admin', 'GET', `/v1/hotlines/${ids.hotline}/records`);
    expect(records.body.totalRecords).toBe(2);
    expect(records.body.records[0].price).toBe(0.05);
  });

  it('a paused hotline keeps its number, answers with a short message and hangs up, and logs nothing', async () => {
    const paused = await call('admin', 'PUT', `/v1/hotlines/${ids.hotline}`, hotlineBody({ isActive: false, ttsInbound: 'You reached the night line.', ttsOutbound: 'Emergency call from the night line.' }));
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'paused', isActive: false });
    expect(paused.body.number).toBe(hotlineNumber);
    const res = await simulate({ to: paused.body.number });
    expect(res.body.trace).toEqual(['say: This hotline is not available at the moment. Please call again later.', 'hangup']);
    await settle(stack);
    expect((await call('admin', 'GET', `/v1/hotlines/${ids.hotline}/call-logs`)).body.totalCallLogs).toBe(2);
  });

  it("the local stack's demo hotline (as `npm start` seeds it) is active, and the hub's button calls it into its call log and records", async () => {
    await seedDemoHotline(stack.table, stack.running, { admin: DEMO_USERS.customer.sub, member: DEMO_USERS.partner.sub });
    // The demo partner is a member of the organisation who allows its admins.
    const partner = (await stack.call('GET', '/v1/me', { token: stack.tokens.partner })).body.hotlines;
    expect(partner.organizations).toContainEqual(expect.objectContaining({ name: 'Demo fire brigade', role: 'member', allowAdmins: true }));
    const id = (await stack.call('GET', `/v1/hotlines?organization_id=${(await stack.call('GET', '/v1/me', { token: stack.tokens.customer })).body.hotlines.organizations[0].organizationID}`, { token: stack.tokens.customer })).body.hotlines[0].id as number;
    const demo = { body: await waitFor('the demo hotline active', async () => {
      const res = await stack.call('GET', `/v1/hotlines/${id}`, { token: stack.tokens.customer });
      return res.body.status === 'active' ? res.body : undefined;
    }, 10_000) };
    expect(demo.body).toMatchObject({ status: 'active', name: 'Demo night line' });
    // Other files on this worker's stack may call the demo hotline too: count from here.
    const recordsBefore = (await stack.call('GET', `/v1/hotlines/${id}/records`, { token: stack.tokens.customer })).body.totalRecords as number;
    const res = await fetch(`${stack.hubUrl}/_jambonz/simulate/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: demo.body.number }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { answeredBy: string }).answeredBy).toBe('+4924155660');
    await settle(stack);
    const logs = await stack.call('GET', `/v1/hotlines/${id}/call-logs`, { token: stack.tokens.customer });
    expect(logs.body.callLogs[0].entries.at(-1).action).toBe('completed');
    expect((await stack.call('GET', `/v1/hotlines/${id}/records`, { token: stack.tokens.customer })).body.totalRecords).toBe(recordsBefore + 1);
  });

  it('a hook without a valid Jambonz-Signature is refused (401) and stores nothing', async () => {
    const body = JSON.stringify({ call_sid: 'forged-call', direction: 'inbound', from: '+4917000000000', call_status: 'trying' });
    const secret = stack.credentials.jambonz!.webhookSecret!;
    const before = await settle(stack);
    for (const [what, signature, text] of [
      ['none', undefined, body],
      ['wrong secret', signJambonzBody(body, 'not-the-secret-at-all'), body],
      ['stale', signJambonzBody(body, secret, Math.floor(Date.now() / 1000) - 3600), body],
      ['tampered body', signJambonzBody(body, secret), body.replace('forged', 'other')],
    ] as const) {
      for (const hook of ['call', 'status']) {
        const res = await stack.call('POST', `/v1/webhooks/jambonz/hotlines/${ids.hotline}/${hook}`, {
          rawBody: text,
          headers: { 'content-type': 'application/json', ...(signature ? { 'jambonz-signature': signature } : {}) },
        });
        expect(res.status, `${hook}: ${what}`).toBe(401);
      }
    }
    await expectUnchanged(stack, before, 'unsigned hooks');
  });
});

describe("the SIP account's row write after jambonz made the carrier", () => {
  /** A fresh organisation, its creator's caller and what its SIP account request carries. */
  async function freshOrganization(name: string) {
    const u = await newUser(stack, { prefix: 'sip-write', email: null });
    const res = await stack.call('POST', '/v1/organizations', { token: u.token, body: { name } });
    expect(res.status).toBe(201);
    const input = { organizationID: res.body.id as number, name, street: 'Stolberger Str.', streetHousenumber: 155, cityCode: `0${AREA}`, city: 'Aachen', country: 'DE' };
    return { caller: { id: u.sub, emailVerified: false, permissions: [], isAdmin: false }, input };
  }
  const carriersNamed = async (name: string) => (await stack.inspect<{ carriers: { voip_carrier_sid: string; name: string }[] }>('jambonz')).carriers.filter((c) => c.name === name);
  const depsWith = (organizations: OrganizationsRepository) => ({ organizations, read: itemsReader(stack.table), jambonz: configuredJambonz(), gateway: hotlineConfig().sipGateway });

  it('an activation written but answered too late is the account made: 201, the row active, its carrier kept', async () => {
    const { caller, input } = await freshOrganization('Lost answer brigade');
    const real = organizationsRepository(stack.table);
    const deps = depsWith(answerLost(real, 'activateSipAccount', 'UpdateCommand'));
    expect(await createSipAccount(deps, caller, input)).toEqual({ exists: true, created: true });
    const [carrier] = await carriersNamed(`fonella-org-${input.organizationID}`);
    expect(await real.getSipAccount(input.organizationID)).toMatchObject({ status: 'active', carrierSid: carrier!.voip_carrier_sid });
  });

  it('an activation that failed deletes the carrier and gives the claim back: the next request makes it', async () => {
    const { caller, input } = await freshOrganization('Failed write brigade');
    const real = organizationsRepository(stack.table);
    const deps = depsWith({ ...real, activateSipAccount: () => Promise.reject(new TableUnavailableError('UpdateCommand')) });
    await expect(createSipAccount(deps, caller, input)).rejects.toBeInstanceOf(TableUnavailableError);
    expect(await carriersNamed(`fonella-org-${input.organizationID}`)).toEqual([]);
    expect(await real.getSipAccount(input.organizationID)).toBeUndefined();
    expect(await createSipAccount(depsWith(real), caller, input)).toEqual({ exists: true, created: true });
    expect(await carriersNamed(`fonella-org-${input.organizationID}`)).toHaveLength(1);
  });
});
