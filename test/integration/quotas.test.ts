// The hotline service's quotas through the local API, on a stack of this file's own whose quotas are
// set low before it starts (2 organisations per user, 2 hotlines per organisation, 2 agent phones per
// user): the creation over a quota is 409 with the quota's problem type and changes nothing in the
// table or at jambonz, concurrent creations cannot pass a quota together, a phone counts against its
// owner whoever adds it, and an account's teardown takes its counts with its partition.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, waitFor, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';
import { newUser, rowsOf, type TestUser } from '../support/users';
import { teardownsRepository } from '../../shared/db/teardowns';

const QUOTA = 2;
const VARS = ['QUOTA_ORGANIZATIONS_PER_USER', 'QUOTA_HOTLINES_PER_ORGANIZATION', 'QUOTA_AGENT_PHONES_PER_USER'] as const;

let stack: TestStack;
beforeAll(async () => {
  // Before the stack: a handler reads its configuration at its first request, as at a cold start.
  for (const v of VARS) process.env[v] = String(QUOTA);
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
  for (const v of VARS) delete process.env[v];
});

const call = (u: TestUser, method: string, path: string, body?: unknown) => stack.call(method, path, { token: u.token, body });
const problem = (slug: string) => `urn:fonella:problem:${slug}`;

async function organization(u: TestUser, name = 'Rescue service'): Promise<number> {
  const res = await call(u, 'POST', '/v1/organizations', { name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

/** An organisation of `u` with its SIP account, ready for hotlines; and `u`'s integer user id. */
async function withSipAccount(u: TestUser): Promise<{ org: number; userID: number }> {
  const org = await organization(u);
  const sip = await call(u, 'POST', '/v1/organizations/sip-account', {
    city: 'Aachen', cityCode: '0241', country: 'DE', name: 'Rescue service', organizationID: org, street: 'Stolberger Str.', streetHousenumber: 155,
  });
  expect(sip.status, JSON.stringify(sip.body)).toBe(201);
  return { org, userID: (await call(u, 'GET', '/v1/me')).body.hotlines.userID as number };
}

const hotline = (org: number, agent: number, name: string) => ({ agents: [agent], isActive: true, name, organizationID: org });
const phone = (userID: number, n: number) => ({ isActive: true, name: `Phone ${n}`, phone: `+491511234${String(n).padStart(4, '0')}`, userID });

describe('organisations per user', () => {
  it("a user's third organisation (quota 2) is 409 quota-organizations and changes nothing; another user still creates theirs", async () => {
    const u = await newUser(stack, { prefix: 'quota-org' });
    for (let i = 0; i < QUOTA; i++) await organization(u, `Rescue service ${i}`);
    const before = await settle(stack);
    const over = await call(u, 'POST', '/v1/organizations', { name: 'One too many' });
    expect(over.status).toBe(409);
    expect(over.body.type).toBe(problem('quota-organizations'));
    await expectUnchanged(stack, before, 'an organisation over the quota');
    expect((await call(u, 'GET', '/v1/me')).body.hotlines.organizations).toHaveLength(QUOTA);
    await organization(await newUser(stack, { prefix: 'quota-org-other' }));
  });

  it('concurrent creations cannot pass the quota together: of six at once, exactly the quota are created', async () => {
    const u = await newUser(stack, { prefix: 'quota-org-race' });
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => call(u, 'POST', '/v1/organizations', { name: `Race ${i}` })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(QUOTA);
    for (const a of answers.filter((x) => x.status !== 201)) expect([a.status, a.body.type]).toEqual([409, problem('quota-organizations')]);
    expect((await rowsOf(stack, u.sub, 'HOTLINE#ORG#')).length).toBe(QUOTA);
  });
});

describe('hotlines per organisation', () => {
  it("an organisation's third hotline (quota 2) is 409 quota-hotlines and provisions nothing; another organisation has its own quota", async () => {
    const u = await newUser(stack, { prefix: 'quota-hotline' });
    const { org, userID } = await withSipAccount(u);
    for (let i = 0; i < QUOTA; i++) expect((await call(u, 'POST', '/v1/hotlines', hotline(org, userID, `Line ${i}`))).status).toBe(201);
    const before = await settle(stack);
    const over = await call(u, 'POST', '/v1/hotlines', hotline(org, userID, 'One too many'));
    expect(over.status).toBe(409);
    expect(over.body.type).toBe(problem('quota-hotlines'));
    await expectUnchanged(stack, before, 'a hotline over the quota');
    expect((await stack.call('GET', `/v1/hotlines?organization_id=${org}`, { token: u.token })).body.totalHotlines).toBe(QUOTA);
    const other = await withSipAccount(u);
    expect((await call(u, 'POST', '/v1/hotlines', hotline(other.org, userID, 'Elsewhere'))).status).toBe(201);
  });

  it('concurrent creations cannot pass the quota together: of six at once, exactly the quota are created', async () => {
    const u = await newUser(stack, { prefix: 'quota-hotline-race' });
    const { org, userID } = await withSipAccount(u);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => call(u, 'POST', '/v1/hotlines', hotline(org, userID, `Race ${i}`))));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(QUOTA);
    for (const a of answers.filter((x) => x.status !== 201)) expect([a.status, a.body.type]).toEqual([409, problem('quota-hotlines')]);
    await settle(stack);
    expect((await stack.call('GET', `/v1/hotlines?organization_id=${org}`, { token: u.token })).body.totalHotlines).toBe(QUOTA);
  });
});

describe('agent phones per user', () => {
  it("a phone counts against its owner, whoever adds it: an admin adding a consenting member's phones meets the member's quota", async () => {
    const admin = await newUser(stack, { prefix: 'quota-phone-admin' });
    const member = await newUser(stack, { prefix: 'quota-phone-member' });
    const org = await organization(admin);
    const added = await call(admin, 'POST', `/v1/organizations/${org}/members`, { userId: member.sub });
    expect(added.status).toBe(201);
    const memberID = added.body.userID as number;
    expect((await call(member, 'POST', `/v1/me/organization-invitations/${org}/accept`)).status).toBe(200);
    expect((await call(member, 'PUT', '/v1/me/organization-access', { allow: true })).status).toBe(200);
    expect((await call(member, 'POST', '/v1/agent-phones', phone(memberID, 1))).status).toBe(201);
    const byAdmin = await stack.call('POST', `/v1/agent-phones?organization_id=${org}`, { token: admin.token, body: phone(memberID, 2) });
    expect(byAdmin.status).toBe(201);
    const before = await settle(stack);
    for (const [who, path] of [[member, '/v1/agent-phones'], [admin, `/v1/agent-phones?organization_id=${org}`]] as const) {
      const over = await stack.call('POST', path, { token: who.token, body: phone(memberID, 3) });
      expect(over.status).toBe(409);
      expect(over.body.type).toBe(problem('quota-agent-phones'));
    }
    await expectUnchanged(stack, before, 'a phone over the quota');
    // The admin's own phones are the admin's quota.
    const adminID = (await call(admin, 'GET', '/v1/me')).body.hotlines.userID as number;
    expect((await call(admin, 'POST', '/v1/agent-phones', phone(adminID, 4))).status).toBe(201);
  });

  it('concurrent creations cannot pass the quota together: of six at once, exactly the quota are created', async () => {
    const u = await newUser(stack, { prefix: 'quota-phone-race' });
    await organization(u);
    const userID = (await call(u, 'GET', '/v1/me')).body.hotlines.userID as number;
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => call(u, 'POST', '/v1/agent-phones', phone(userID, 10 + i))));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(QUOTA);
    for (const a of answers.filter((x) => x.status !== 201)) expect([a.status, a.body.type]).toEqual([409, problem('quota-agent-phones')]);
    expect(await stack.call('GET', `/v1/agent-phones?owner_id=${userID}`, { token: u.token }).then((r) => r.body.length)).toBe(QUOTA);
  });
});

describe("an account's teardown", () => {
  it('takes the quota counts with the rest of the partition', async () => {
    const sub = `auth0|quota-teardown-${randomUUID()}`;
    await fetch(`${stack.emulators.auth0}/_users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: sub, email: `${randomUUID().slice(0, 8)}@example.com` }) });
    const u: TestUser = { sub, email: undefined, token: await stack.mintToken({ sub }) };
    await organization(u);
    const userID = (await call(u, 'GET', '/v1/me')).body.hotlines.userID as number;
    expect((await call(u, 'POST', '/v1/agent-phones', phone(userID, 20))).status).toBe(201);
    expect((await rowsOf(stack, sub, 'QUOTA#')).map((r) => [r.sk, r.used])).toEqual([['QUOTA#agentPhones', 1], ['QUOTA#organizations', 1]]);
    expect((await call(u, 'DELETE', '/v1/me')).status).toBe(202);
    await waitFor('the teardown done', async () => (await teardownsRepository(stack.table).get(sub))?.status === 'done', 30_000);
    expect((await rowsOf(stack, sub)).map((r) => r.sk)).toEqual(['TEARDOWN']);
  });
});
