// The hotline number pool through the local runtime, against the Sipgate and jambonz emulators: the
// admin import (the hotline trunk's numbers with their area codes, on Fonella's jambonz carrier;
// idempotent), the listing (by area and status, a page at a time), a hotline taking its area's number,
// a hotline waiting where there is none (one admin email per area, however many wait), an import that
// serves the waiting hotlines first created first, and concurrent provisionings that never share a
// number. Each test has an area code of its own (the stack is shared with other files).
import { beforeAll, describe, expect, it } from 'vitest';
import { tableRef } from '../../shared/db/client';
import { hotlineNumbersRepository } from '../../shared/db/hotline-numbers';
import { hotlinesRepository } from '../../shared/db/hotlines';
import { organizationsRepository } from '../../shared/db/organizations';
import { HOTLINE_CARRIER_NAME } from '../../shared/domain/hotline-numbers';
import { provisionHotline } from '../../shared/domain/hotline-provisioning';
import { jambonzAdapter } from '../../shared/providers/jambonz/adapter';
import { SIPGATE_LOCAL } from '../../shared/providers/sipgate/config';
import { addHotlineNumbers, buyHotlineNumbers, importHotlineNumbers, uniqueAreaCode } from '../support/hotline-numbers';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';
import { newUser, type TestUser } from '../support/users';

let stack: TestStack;
let admin: TestUser;
let agent = 0;

type Row = Record<string, unknown>;
type Jambonz = {
  carriers: { voip_carrier_sid: string; name: string; requires_register: boolean; register_username: string; register_sip_realm: string; e164_leading_plus: boolean }[];
  sipGateways: { voip_carrier_sid: string; ipv4: string; inbound: boolean; outbound: boolean }[];
  phoneNumbers: { number: string; voip_carrier_sid: string; application_sid: string }[];
  applications: { application_sid: string; name: string }[];
};

const SUPPORT_INBOX = 'support@fonella.local';
const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token: admin.token, body });
const list = (query: string) => stack.call('GET', `/v1/admin/hotline-numbers${query}`, { token: stack.tokens.admin });
/** The pool's rows of these numbers, by number. */
const numberRows = async (numbers: string[]): Promise<Row[]> =>
  (await stack.scan()).filter((r) => String(r.pk).startsWith('HOTLINE_NUMBER#') && numbers.includes(String(r.number))).sort((a, b) => String(a.number).localeCompare(String(b.number)));
const hotline = async (id: number) => (await call('GET', `/v1/hotlines/${id}`)).body;
const withStatus = (id: number, status: string) =>
  waitFor(`hotline ${id} ${status}`, async () => {
    const h = await hotline(id);
    return h.status === status ? h : undefined;
  }, 10_000);
/** The admins' emails about an area, to the support inbox. */
const areaMails = async (area: string) => (await stack.mails()).filter((m) => JSON.stringify(m.to).includes(SUPPORT_INBOX) && m.subject.includes(`+49 ${area} (0${area})`));
const fonellaCarrier = async () => (await stack.inspect<Jambonz>('jambonz')).carriers.filter((c) => c.name === HOTLINE_CARRIER_NAME);

/** An organisation of the admin with its SIP account in `area`; answers its id. */
async function organization(area: string): Promise<number> {
  const org = (await call('POST', '/v1/organizations', { name: `Rescue service ${area}` })).body.id as number;
  const sip = await call('POST', '/v1/organizations/sip-account', { city: 'Hanover', cityCode: `0${area}`, country: 'DE', name: `Rescue service ${area}`, organizationID: org, street: 'Hauptstr.', streetHousenumber: 1 });
  expect(sip.status, JSON.stringify(sip.body)).toBe(201);
  return org;
}

async function newHotline(org: number, name: string): Promise<number> {
  const res = await call('POST', '/v1/hotlines', { agents: [agent], isActive: true, name, organizationID: org });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

beforeAll(async () => {
  stack = await workerStack();
  admin = await newUser(stack, { prefix: 'hotline-numbers', email: null });
  await call('POST', '/v1/organizations', { name: 'Warm-up' });
  agent = (await call('GET', '/v1/me')).body.hotlines.userID as number;
});

describe('POST /v1/admin/hotline-numbers', () => {
  it("imports the hotline trunk's numbers as free numbers of their area code, on Fonella's jambonz carrier; a second import adds nothing and changes no row", async () => {
    const area = uniqueAreaCode();
    const bought = await buyHotlineNumbers(stack, area, 2);
    const first = await importHotlineNumbers(stack);
    expect(first.imported).toEqual(expect.arrayContaining(bought));
    expect(first.total).toBe(first.imported.length + first.alreadyInPool);

    const rows = await numberRows(bought);
    const [carrier] = await fonellaCarrier();
    expect(await fonellaCarrier()).toHaveLength(1);
    expect(rows.map((r) => r.number)).toEqual(bought);
    for (const r of rows) {
      const n = String(r.number);
      expect(r).toMatchObject({
        pk: `HOTLINE_NUMBER#${n}`,
        sk: 'NUMBER',
        status: 'free',
        countryCode: '49',
        areaCode: area,
        localized: `0${area} ${n.slice(3 + area.length)}`,
        carrierSid: carrier!.voip_carrier_sid,
        gsi1pk: `HOTLINE_NUMBERS#AREA#${area}`,
        gsi1sk: `free#${n}`,
        gsi2pk: 'HOTLINE_NUMBERS',
        gsi2sk: `free#${n}`,
      });
      expect(r.hotlineId).toBeUndefined();
    }
    // Fonella's carrier registers at Sipgate as the hotline trunk device, through Sipgate's registrar.
    expect(carrier).toMatchObject({ requires_register: true, register_username: `1234567${SIPGATE_LOCAL.hotlineTrunkDeviceId}`, register_sip_realm: 'sipgate.de', e164_leading_plus: true });
    const gateways = (await stack.inspect<Jambonz>('jambonz')).sipGateways.filter((g) => g.voip_carrier_sid === carrier!.voip_carrier_sid);
    expect(gateways).toEqual([expect.objectContaining({ ipv4: 'sipgate.de', inbound: false, outbound: true })]);

    const before = JSON.stringify(await stack.scan());
    const second = await importHotlineNumbers(stack);
    expect(second).toEqual({ imported: [], alreadyInPool: first.total, total: first.total, assigned: [] });
    expect(JSON.stringify(await stack.scan())).toBe(before);
    expect(await fonellaCarrier()).toHaveLength(1);
  });

  it('a number on another device, or one whose national form names no area that fits it, is not imported', async () => {
    const area = uniqueAreaCode();
    const add = (body: Record<string, unknown>) =>
      fetch(`${stack.emulators.sipgate}/_numbers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const elsewhere = `+49${area}700001`;
    const unfit = `+49${area}700002`;
    expect((await add({ number: elsewhere, localized: `0${area} 700001`, endpointId: SIPGATE_LOCAL.trunkDeviceId })).status).toBe(201);
    // Sipgate's national form names another area than the number's.
    expect((await add({ number: unfit, localized: '0511 700002', endpointId: SIPGATE_LOCAL.hotlineTrunkDeviceId })).status).toBe(201);
    const res = await importHotlineNumbers(stack);
    expect(res.imported).not.toContain(elsewhere);
    expect(res.imported).not.toContain(unfit);
    expect(await numberRows([elsewhere, unfit])).toEqual([]);
  });

  it('is refused to anyone but an admin (403), and writes nothing', async () => {
    const before = await settle(stack);
    const res = await stack.call('POST', '/v1/admin/hotline-numbers', { token: admin.token });
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('urn:fonella:problem:admin-required');
    await expectUnchanged(stack, before, 'an import by a customer');
  });
});

describe('GET /v1/admin/hotline-numbers', () => {
  it('lists an area (030 and 30 alike) and a status a page at a time, with each number\'s assignment; a cursor of another listing is refused', async () => {
    const area = uniqueAreaCode();
    const numbers = await addHotlineNumbers(stack, area, 3);
    const org = await organization(area);
    const id = await newHotline(org, 'Listed line');
    const taken = (await withStatus(id, 'active')).number as string;

    const pages: Row[][] = [];
    let cursor: string | null = null;
    do {
      const res = await list(`?areaCode=0${area}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      pages.push(res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor && pages.length < 5);
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    const items = pages.flat();
    // Assigned before free, each by number.
    expect(items.map((i) => i.number)).toEqual([taken, ...numbers.filter((n) => n !== taken)]);
    const assigned = items[0]!;
    expect(assigned).toMatchObject({ status: 'assigned', areaCode: area, countryCode: '49', hotlineId: id, organizationId: org, localized: `0${area} ${taken.slice(3 + area.length)}` });
    expect(Date.parse(String(assigned.assignedAt))).toBeGreaterThan(0);
    for (const free of items.slice(1)) expect(free).toMatchObject({ status: 'free', hotlineId: null, organizationId: null, assignedAt: null });

    const sameArea = await list(`?areaCode=${area}&status=free`);
    expect(sameArea.body.items.map((i: Row) => i.number)).toEqual(numbers.filter((n) => n !== taken));
    const everywhere = await list('?status=assigned&limit=100');
    expect(everywhere.body.items.every((i: Row) => i.status === 'assigned')).toBe(true);

    const areaCursor = (await list(`?areaCode=${area}&limit=1`)).body.nextCursor as string;
    for (const query of [`?cursor=${areaCursor}`, `?areaCode=${uniqueAreaCode()}&cursor=${areaCursor}`, `?areaCode=${area}&status=free&cursor=${areaCursor}`]) {
      const res = await list(query);
      expect(res.status, query).toBe(400);
      expect(res.body.type).toBe('urn:fonella:problem:invalid-cursor');
    }
  });
});

describe('provisioning from the pool', () => {
  it("a hotline in an area with a free number becomes active with exactly that number, registered on Fonella's carrier; a re-import leaves it assigned", async () => {
    const area = uniqueAreaCode();
    const [number] = await addHotlineNumbers(stack, area);
    const org = await organization(area);
    const id = await newHotline(org, 'Day line');
    const active = await withStatus(id, 'active');
    expect(active.number).toBe(number);

    const jambonz = await stack.inspect<Jambonz>('jambonz');
    const phone = jambonz.phoneNumbers.find((p) => `+${p.number}` === number)!;
    expect(jambonz.carriers.find((c) => c.voip_carrier_sid === phone.voip_carrier_sid)?.name).toBe(HOTLINE_CARRIER_NAME);
    expect(jambonz.applications.find((a) => a.application_sid === phone.application_sid)?.name).toBe(`fonella-hotline-${id}`);

    const [row] = await numberRows([number!]);
    expect(row).toMatchObject({ status: 'assigned', hotlineId: id, organizationId: org, gsi1sk: `assigned#${number}`, gsi2sk: `assigned#${number}` });
    await importHotlineNumbers(stack);
    expect(await numberRows([number!])).toEqual([row]);
  });

  it('hotlines in an area without a number wait (not failed, not retried); two of them bring exactly one email naming the area', async () => {
    const area = uniqueAreaCode();
    const org = await organization(area);
    const first = await newHotline(org, 'First waiting line');
    const second = await newHotline(org, 'Second waiting line');
    for (const id of [first, second]) expect(await withStatus(id, 'waiting-for-number')).toMatchObject({ number: null });
    await settle(stack);
    const mails = await areaMails(area);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('Hotlines waiting: ');
    expect(mails[0]!.text).toContain('POST /v1/admin/hotline-numbers');
    expect(stack.streams.parked().filter((p) => p.worker === 'provisionHotline' && [`HOTLINE#${first}`, `HOTLINE#${second}`].includes(String(p.keys.pk)))).toEqual([]);
    const areaRow = (await stack.scan()).find((r) => r.pk === `HOTLINE_AREA#49#${area}`);
    expect(areaRow).toMatchObject({ waiting: 2, mailId: expect.any(String) });
    // Edited, a waiting hotline keeps waiting.
    const edited = await call('PUT', `/v1/hotlines/${second}`, { agents: [agent], isActive: true, name: 'Second waiting line, renamed', organizationID: org });
    expect(edited.body.status).toBe('waiting-for-number');
    await settle(stack);
    expect((await hotline(second)).status).toBe('waiting-for-number');
  });

  it('an import of one number for the area serves the first-created waiting hotline; the next serves the second; a later shortage emails again', async () => {
    const area = uniqueAreaCode();
    const org = await organization(area);
    const first = await newHotline(org, 'First');
    await withStatus(first, 'waiting-for-number');
    const second = await newHotline(org, 'Second');
    await withStatus(second, 'waiting-for-number');

    const [one] = await buyHotlineNumbers(stack, area);
    const served = await importHotlineNumbers(stack);
    expect(served.assigned).toEqual([{ hotlineId: first, organizationId: org, number: one }]);
    expect(await withStatus(first, 'active')).toMatchObject({ number: one });
    await settle(stack);
    expect((await hotline(second)).status).toBe('waiting-for-number');
    expect((await stack.scan()).find((r) => r.pk === `HOTLINE_AREA#49#${area}`)).toMatchObject({ waiting: 1 });

    const [two] = await buyHotlineNumbers(stack, area);
    expect((await importHotlineNumbers(stack)).assigned).toEqual([{ hotlineId: second, organizationId: org, number: two }]);
    expect(await withStatus(second, 'active')).toMatchObject({ number: two });
    await settle(stack);
    // No hotline waits there now: the area's row is gone, and the one email stays one.
    expect((await stack.scan()).find((r) => r.pk === `HOTLINE_AREA#49#${area}`)).toBeUndefined();
    expect(await areaMails(area)).toHaveLength(1);

    const third = await newHotline(org, 'Third');
    await withStatus(third, 'waiting-for-number');
    await settle(stack);
    expect(await areaMails(area)).toHaveLength(2);
  });

  it('concurrent provisionings never give one number twice: of six hotlines racing for three numbers, three are active with three numbers and three wait', async () => {
    const area = uniqueAreaCode();
    const numbers = await addHotlineNumbers(stack, area, 3);
    const org = await organization(area);
    const table = tableRef({ tableName: stack.tableName, endpoint: stack.dynamoEndpoint });
    const env = stack.running.find((e) => e.name === 'jambonz')!.definition.env(stack.emulators.jambonz!);
    const deps = {
      hotlines: hotlinesRepository(table),
      organizations: organizationsRepository(table),
      numbers: hotlineNumbersRepository(table),
      jambonz: jambonzAdapter({ baseUrl: env.JAMBONZ_BASE_URL!, apiKey: env.JAMBONZ_API_KEY!, accountSid: env.JAMBONZ_ACCOUNT_SID! }),
      hookBaseUrl: stack.apiUrl,
    };
    const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => newHotline(org, `Race ${i}`)));
    // The stream provisions each, and so does this test, all at once: every run races for the three numbers.
    const outcomes = await Promise.all(ids.flatMap((id) => [provisionHotline(deps, id), provisionHotline(deps, id)]).map((p) => p.catch((e: unknown) => e)));
    expect(outcomes.filter((o) => o instanceof Error)).toEqual([]);
    await settle(stack);

    const hotlines = await Promise.all(ids.map(hotline));
    const active = hotlines.filter((h) => h.status === 'active');
    expect(active).toHaveLength(3);
    expect(hotlines.filter((h) => h.status === 'waiting-for-number')).toHaveLength(3);
    expect(active.map((h) => h.number).sort()).toEqual([...numbers].sort());
    const rows = await numberRows(numbers);
    for (const r of rows) expect(active.find((h) => h.number === r.number)?.id).toBe(r.hotlineId);
    expect((await stack.scan()).find((r) => r.pk === `HOTLINE_AREA#49#${area}`)).toMatchObject({ waiting: 3 });
    expect(await areaMails(area)).toHaveLength(1);
  });
});
