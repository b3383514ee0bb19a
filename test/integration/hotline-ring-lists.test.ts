// A hotline's ring list (HOTLINE#<id> / RING: whom its calls ring, beside the hotline so the call hook
// reads both in one request) follows every change of the truth it is derived from, through the local
// stack's stream: the hotline's agents, the agents' membership and consent, and their phones; and an
// account's deletion takes its phones off. A refresh that read before a later one never writes over it.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { itemsReader } from '../../shared/db/get-items';
import { hotlineRingsRepository, ringListRead } from '../../shared/db/hotline-rings';
import { teardownsRepository } from '../../shared/db/teardowns';
import { addHotlineNumbers, uniqueAreaCode } from '../support/hotline-numbers';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { newUser, type TestUser } from '../support/users';

let stack: TestStack;
let admin: TestUser;
let agent: TestUser;
let org = 0;
let adminID = 0;
let agentID = 0;
let area = '';

const call = (who: TestUser, method: string, path: string, body?: unknown) => stack.call(method, path, { token: who.token, body });

/** The hotline's ring list once the stream is quiet: per agent, the phones its calls ring. */
async function ringOf(hotlineID: number) {
  await stack.streams.idle();
  const { ring } = await itemsReader(stack.table)({ ring: ringListRead(hotlineID) });
  return ring;
}

async function addPhone(who: TestUser, userID: number, phone: string, isActive = true) {
  const res = await call(who, 'POST', '/v1/agent-phones', { isActive, name: phone, phone, userID });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; phone: string; name: string };
}

beforeAll(async () => {
  stack = await workerStack();
  area = uniqueAreaCode();
  await addHotlineNumbers(stack, area, 4);
  admin = await newUser(stack, { prefix: 'ring-admin', email: null });
  agent = await newUser(stack, { prefix: 'ring-agent', email: null });
  org = (await call(admin, 'POST', '/v1/organizations', { name: 'Ring list brigade' })).body.id as number;
  const sip = { city: 'Bonn', cityCode: `0${area}`, country: 'DE', name: 'Ring list brigade', organizationID: org, street: 'Ringstr.', streetHousenumber: 1 };
  expect((await call(admin, 'POST', '/v1/organizations/sip-account', sip)).status).toBe(201);
  adminID = (await call(admin, 'GET', '/v1/me')).body.hotlines.userID as number;
  agentID = (await call(admin, 'POST', `/v1/organizations/${org}/members`, { userId: agent.sub })).body.userID as number;
  expect((await call(agent, 'POST', `/v1/me/organization-invitations/${org}/accept`)).status).toBe(200);
});

describe("a hotline's ring list", () => {
  it('follows the agents, their consent and their phones, each change computed for the hotline as it is', async () => {
    expect((await call(admin, 'PUT', '/v1/me/organization-access', { allow: true, organizationID: org })).status).toBe(200);
    const desk = await addPhone(admin, adminID, '+4922812340001');
    await addPhone(admin, adminID, '+4922812340002', false);
    const created = await call(admin, 'POST', '/v1/hotlines', { agents: [adminID, agentID], isActive: true, name: 'Ring line', organizationID: org });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const hotline = async () => (await call(admin, 'GET', `/v1/hotlines/${id}`)).body;

    // The agent accepted but allows nobody yet: none of theirs.
    expect(await ringOf(id)).toMatchObject({ phones: { [adminID]: ['+4922812340001'], [agentID]: [] } });
    const mobile = await addPhone(agent, agentID, '+4915112340003');
    expect((await ringOf(id))?.phones[agentID]).toEqual([]);
    expect((await call(agent, 'PUT', '/v1/me/organization-access', { allow: true, organizationID: org })).status).toBe(200);
    expect((await ringOf(id))?.phones[agentID]).toEqual([mobile.phone]);

    // A phone switched off, another on; the order is the phones' ids.
    expect((await call(admin, 'PUT', `/v1/agent-phones/${desk.id}`, { isActive: false, name: desk.name, phone: desk.phone, userID: adminID })).status).toBe(200);
    await addPhone(admin, adminID, '+4922812340004');
    expect((await ringOf(id))?.phones[adminID]).toEqual(['+4922812340004']);

    // The agents edited: the list is computed for the hotline's new version, for its agents only.
    const edit = { agents: [agentID], isActive: true, name: 'Ring line', organizationID: org };
    expect((await call(admin, 'PUT', `/v1/hotlines/${id}`, edit)).status).toBe(200);
    const ring = await ringOf(id);
    expect(ring).toEqual({ forUpdatedAt: expect.any(String), phones: { [agentID]: [mobile.phone] } });
    const row = await stack.table.doc.send(new GetCommand({ TableName: stack.table.tableName, Key: { pk: `HOTLINE#${id}`, sk: 'HOTLINE' } }));
    expect(ring?.forUpdatedAt).toBe(row.Item?.updatedAt);
    expect((await hotline()).agents).toEqual([agentID]);

    // Consent withdrawn: none of theirs again.
    expect((await call(agent, 'PUT', '/v1/me/organization-access', { allow: false, organizationID: org })).status).toBe(200);
    expect((await ringOf(id))?.phones[agentID]).toEqual([]);
    expect((await call(agent, 'PUT', '/v1/me/organization-access', { allow: true, organizationID: org })).status).toBe(200);
    expect((await ringOf(id))?.phones[agentID]).toEqual([mobile.phone]);
  });

  it("an agent's deleted account takes their phones off the lists", async () => {
    const leaving = await newUser(stack, { prefix: 'ring-leaving', email: null });
    const leavingID = (await call(admin, 'POST', `/v1/organizations/${org}/members`, { userId: leaving.sub })).body.userID as number;
    expect((await call(leaving, 'POST', `/v1/me/organization-invitations/${org}/accept`)).status).toBe(200);
    expect((await call(leaving, 'PUT', '/v1/me/organization-access', { allow: true, organizationID: org })).status).toBe(200);
    await addPhone(leaving, leavingID, '+4915112340005');
    const created = await call(admin, 'POST', '/v1/hotlines', { agents: [leavingID], isActive: true, name: 'Leaving line', organizationID: org });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect((await ringOf(id))?.phones[leavingID]).toEqual(['+4915112340005']);

    expect((await call(leaving, 'DELETE', '/v1/me')).status).toBe(202);
    await waitFor('the teardown done', async () => (await teardownsRepository(stack.table).get(leaving.sub))?.status === 'done', 20_000);
    expect((await ringOf(id))?.phones[leavingID]).toEqual([]);
  });

  it("a hotline made before its organisation kept its hotlines' ids joins the set when it changes, and phone changes reach its list from then on", async () => {
    const created = await call(admin, 'POST', '/v1/hotlines', { agents: [adminID], isActive: true, name: 'Older line', organizationID: org });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    await stack.streams.idle();
    // As it would be for a hotline made before the set: not in it.
    const quota = { pk: `ORG#${org}`, sk: 'QUOTA#hotlines' };
    await stack.table.doc.send(new UpdateCommand({ TableName: stack.table.tableName, Key: quota, UpdateExpression: 'DELETE hotlineIds :id', ExpressionAttributeValues: { ':id': new Set([id]) } }));
    const setOf = async () => [...(((await stack.table.doc.send(new GetCommand({ TableName: stack.table.tableName, Key: quota }))).Item?.hotlineIds as Set<number>) ?? [])];
    expect(await setOf()).not.toContain(id);

    const edit = { agents: [adminID], isActive: true, name: 'Older line, edited', organizationID: org };
    expect((await call(admin, 'PUT', `/v1/hotlines/${id}`, edit)).status).toBe(200);
    await stack.streams.idle();
    expect(await setOf()).toContain(id);
    await addPhone(admin, adminID, '+4922812340007');
    expect((await ringOf(id))?.phones[adminID]).toContain('+4922812340007');
  });

  it('a refresh writes only while no later one took a ticket', async () => {
    const rings = hotlineRingsRepository(stack.table);
    const id = 900_000_000 + Math.floor(Math.random() * 1e8);
    const early = await rings.takeTicket(id);
    const late = await rings.takeTicket(id);
    expect(late).toBeGreaterThan(early);
    expect(await rings.write(id, late, { forUpdatedAt: 'v2', phones: { 1: ['+4922812340009'] } })).toBe(true);
    // The earlier refresh read the truth before the later one: it does not write over it.
    expect(await rings.write(id, early, { forUpdatedAt: 'v1', phones: { 1: [] } })).toBe(false);
    const { ring } = await itemsReader(stack.table)({ ring: ringListRead(id) });
    expect(ring).toEqual({ forUpdatedAt: 'v2', phones: { 1: ['+4922812340009'] } });
  });
});
