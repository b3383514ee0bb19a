// POST / DELETE /v1/me/integrations through the local API: each mode's line at Sipgate and Vapi, a
// fault at every step of each mode (generated from the step list) leaving nothing anywhere,
// validation, conflicts, each removal variant (pool line included), a removal finished by its retry,
// and the SIP password nowhere but in Vapi.
import { randomInt, randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assistantConfig } from '../../shared/config/assistant';
import { poolKey } from '../../shared/db/pool';
import { LINE_STEPS, SIPGATE_SIP_GATEWAY } from '../../shared/domain/integrations';
import { SIPGATE_LOCAL } from '../../shared/providers/sipgate/config';
import { PUBLIC_GATEWAY } from '../support/gateways';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { addFreePoolNumber } from '../support/rows';
import { newUser, partition, rowsOf } from '../support/users';

type Row = Record<string, unknown> & { id: string };
interface VapiState {
  phoneNumbers: Row[];
  credentials: Row[];
}
interface SipgateState {
  numbers: { id: string; number: string; endpointId: string }[];
  devices: (Row & { username: string })[];
}

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});
// A fault a step did not use up must not reach the next test.
afterEach(async () => {
  for (const name of ['vapi', 'sipgate']) await fetch(`${stack.emulators[name]}/_faults`, { method: 'DELETE' });
});

const vapi = () => stack.inspect<VapiState>('vapi');
const sipgate = () => stack.inspect<SipgateState>('sipgate');
const lineRows = (sub: string) => rowsOf(stack, sub, 'INTEGRATION#');

/** A user with a token and, unless told otherwise, an assistant. */
async function user(opts: { assistant?: boolean; plan?: 'business' } = {}) {
  const { sub, token, assistantId } = await newUser(stack, { prefix: 'lines', plan: opts.plan, assistant: opts.assistant === false ? undefined : {} });
  return {
    sub,
    token,
    assistantId,
    add: (body: unknown) => stack.call('POST', '/v1/me/integrations', { token, body }),
    remove: (query = '') => stack.call('DELETE', `/v1/me/integrations${query}`, { token }),
  };
}

/** A number on Fonella's Sipgate account ringing the phoneline, new for each test. */
async function accountNumber(): Promise<{ number: string; id: string }> {
  const number = `+4921177${String(randomInt(1e7)).padStart(7, '0')}`;
  const res = await fetch(`${stack.emulators.sipgate}/_numbers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ number }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { number: string; id: string };
}

const PASSWORD = `pw-${randomUUID()}`;
const external = (over: Record<string, unknown> = {}) => ({
  mode: 'external',
  gateway: PUBLIC_GATEWAY.ipv4,
  authUsername: 'pbx-user-7',
  authPassword: PASSWORD,
  phoneNumber: `+4930${String(randomInt(1e8)).padStart(8, '0')}`,
  ...over,
});

/** What the providers hold that a test could leave behind: the ids of numbers, credentials, devices, and the routing. */
async function providerState() {
  const [v, s] = await Promise.all([vapi(), sipgate()]);
  return {
    phoneNumbers: v.phoneNumbers.map((p) => p.id).sort(),
    credentials: v.credentials.map((c) => c.id).sort(),
    devices: s.devices.map((d) => d.id).sort(),
    routing: s.numbers.map((n) => `${n.id}:${n.endpointId}`).sort(),
  };
}

/** The device passwords Sipgate gave out, read from its API as our adapter would. */
async function sipgatePasswords(): Promise<string[]> {
  const auth = Buffer.from(`${SIPGATE_LOCAL.tokenId}:${SIPGATE_LOCAL.token}`).toString('base64');
  const res = await fetch(`${stack.emulators.sipgate}/${SIPGATE_LOCAL.userId}/devices`, { headers: { authorization: `Basic ${auth}` } });
  const body = (await res.json()) as { items: { id: string; credentials?: { password: string } }[] };
  return body.items.filter((d) => d.id !== SIPGATE_LOCAL.trunkDeviceId).map((d) => d.credentials!.password);
}

describe('POST /v1/me/integrations: mode sipgate', () => {
  it('creates a device, routes the number to it, and binds it in Vapi to the assistant through a credential on the device\'s SIP login', async () => {
    const u = await user();
    const { number, id } = await accountNumber();
    const res = await u.add({ mode: 'sipgate', phoneNumber: number.replace('+49', '0'), alias: 'Praxis Empfang' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'sipgate', number, state: 'active' });

    const [row] = await lineRows(u.sub);
    expect(row).toMatchObject({ sk: 'INTEGRATION#SIPGATE', state: 'active', number, sipgateNumberId: id });
    const s = await sipgate();
    const device = s.devices.find((d) => d.id === row!.sipgateDeviceId)!;
    expect(device).toMatchObject({ alias: 'Praxis Empfang', type: 'REGISTER', userId: SIPGATE_LOCAL.userId });
    expect(s.numbers.find((n) => n.id === id)!.endpointId).toBe(device.id);
    const v = await vapi();
    const credential = v.credentials.find((c) => c.id === row!.vapiCredentialId)!;
    expect(credential).toMatchObject({
      provider: 'byo-sip-trunk',
      gateways: [{ ip: SIPGATE_SIP_GATEWAY, inboundEnabled: true }],
      outboundAuthenticationPlan: { authUsername: device.username },
    });
    expect(v.phoneNumbers.find((p) => p.id === row!.vapiPhoneNumberId)).toMatchObject({
      provider: 'byo-phone-number',
      number,
      credentialId: credential.id,
      assistantId: u.assistantId,
    });

    // The device's SIP password is in no answer and no item of ours.
    const passwords = await sipgatePasswords();
    expect(passwords.length).toBeGreaterThan(0);
    const ours = JSON.stringify([res.body, await stack.scan(), (await stack.call('GET', '/v1/me', { token: u.token })).body]);
    for (const p of passwords) expect(ours).not.toContain(p);
  });

  it('GET /v1/me lists the line; the same mode again → 409 integration-exists and nothing more is created', async () => {
    const u = await user();
    const { number } = await accountNumber();
    const first = await u.add({ mode: 'sipgate', phoneNumber: number });
    expect(first.status).toBe(201);
    const me = await stack.call('GET', '/v1/me', { token: u.token });
    expect(me.body.integrations).toEqual([{ kind: 'sipgate', number, state: 'active', createdAt: first.body.createdAt }]);

    const before = await providerState();
    const again = await u.add({ mode: 'sipgate', phoneNumber: (await accountNumber()).number });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:fonella:problem:integration-exists');
    const after = await providerState();
    expect([after.devices, after.credentials, after.phoneNumbers]).toEqual([before.devices, before.credentials, before.phoneNumbers]);
  });

  it.each([
    ['a number not on the account', '+4930111222333', 'number-not-on-account'],
    ["one of the pool trunk's numbers", '+4921155590001', 'number-unavailable'],
  ])('%s → 422 %s, nothing created', async (_label, phoneNumber, slug) => {
    const u = await user();
    const before = await providerState();
    const res = await u.add({ mode: 'sipgate', phoneNumber });
    expect(res.status).toBe(422);
    expect(res.body.type).toBe(`urn:fonella:problem:${slug}`);
    expect(await providerState()).toEqual(before);
    expect(await lineRows(u.sub)).toEqual([]);
  });
});

describe('POST /v1/me/integrations: mode external', () => {
  it('creates the credential on the customer\'s gateway and login, and the number on it bound to the assistant; no Sipgate change', async () => {
    const u = await user();
    const sipgateBefore = await sipgate();
    const body = external({ gateway: PUBLIC_GATEWAY.ipv6, port: 5080, inboundEnabled: false });
    const res = await u.add(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'external', number: body.phoneNumber, state: 'active' });

    const [row] = await lineRows(u.sub);
    expect(row).toMatchObject({ sk: 'INTEGRATION#EXTERNAL', state: 'active', gateway: PUBLIC_GATEWAY.ipv6, port: 5080 });
    const v = await vapi();
    expect(v.credentials.find((c) => c.id === row!.vapiCredentialId)).toMatchObject({
      gateways: [{ ip: PUBLIC_GATEWAY.ipv6, port: 5080, inboundEnabled: false }],
      outboundAuthenticationPlan: { authUsername: 'pbx-user-7' },
    });
    expect(v.phoneNumbers.find((p) => p.id === row!.vapiPhoneNumberId)).toMatchObject({ number: body.phoneNumber, credentialId: row!.vapiCredentialId, assistantId: u.assistantId });
    expect(await sipgate()).toEqual(sipgateBefore);

    // The password went to Vapi and nowhere of ours: answers, table, either emulator's visible state.
    const me = await stack.call('GET', '/v1/me', { token: u.token });
    const seen = JSON.stringify([res.body, me.body, await stack.scan(), v, await sipgate()]);
    expect(seen).not.toContain(PASSWORD);
  });

  it('port and inboundEnabled default to 5060 and true', async () => {
    const u = await user();
    const res = await u.add(external({ gateway: PUBLIC_GATEWAY.ipv4 }));
    expect(res.status).toBe(201);
    const [row] = await lineRows(u.sub);
    expect((await vapi()).credentials.find((c) => c.id === row!.vapiCredentialId)).toMatchObject({ gateways: [{ ip: PUBLIC_GATEWAY.ipv4, port: 5060, inboundEnabled: true }] });
  });

  it('two requests at once: one line, the other 409', async () => {
    const u = await user();
    const before = await providerState();
    const [a, b] = await Promise.all([u.add(external()), u.add(external())]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect(['urn:fonella:problem:integration-in-progress', 'urn:fonella:problem:integration-exists']).toContain((a.status === 409 ? a : b).body.type);
    const after = await providerState();
    expect(after.credentials.length - before.credentials.length).toBe(1);
    expect(after.phoneNumbers.length - before.phoneNumbers.length).toBe(1);
    expect(await lineRows(u.sub)).toHaveLength(1);
  });
});

describe('POST /v1/me/integrations: refusals', () => {
  it('no assistant yet → 409 assistant-required, nothing created', async () => {
    const u = await user({ assistant: false });
    const before = await providerState();
    for (const body of [external(), { mode: 'sipgate', phoneNumber: (await accountNumber()).number }]) {
      const res = await u.add(body);
      expect(res.status).toBe(409);
      expect(res.body.type).toBe('urn:fonella:problem:assistant-required');
    }
    expect((await providerState()).devices).toEqual(before.devices);
    expect((await providerState()).credentials).toEqual(before.credentials);
    expect(await lineRows(u.sub)).toEqual([]);
  });

  it.each([
    ['a field neither mode knows', { mode: 'sipgate', phoneNumber: '+4921155501010', trunk: 'x' }, ['body.trunk']],
    ["an unused field of the other mode over its bound", { mode: 'sipgate', phoneNumber: '+4921155501010', gateway: 'x'.repeat(254) }, ['body.gateway']],
    ['no mode', { phoneNumber: '+4921155501010' }, ['body.mode']],
    ['an unknown mode', { mode: 'fax', phoneNumber: '+4921155501010' }, ['body.mode']],
    ['no phone number (sipgate)', { mode: 'sipgate' }, ['body.phoneNumber']],
    ['a bad gateway', external({ gateway: 'not a host!' }), ['body.gateway']],
    ['an IPv4 address out of range', external({ gateway: '999.1.1.1' }), ['body.gateway']],
    ['port 0', external({ port: 0 }), ['body.port']],
    ['port 65536', external({ port: 65_536 }), ['body.port']],
    ['a port as text', external({ port: '5060' }), ['body.port']],
    ['no password', external({ authPassword: undefined }), ['body.authPassword']],
    ['no user name', external({ authUsername: undefined }), ['body.authUsername']],
    ['a number not in E.164', external({ phoneNumber: '030 1234567' }), ['body.phoneNumber']],
  ])('%s → 400 naming the fields', async (_label, body, paths) => {
    const u = await user();
    const before = await providerState();
    const res = await u.add(body);
    expect(res.status).toBe(400);
    expect((res.body.errors as { path: string }[]).map((e) => e.path)).toEqual(expect.arrayContaining(paths));
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
    expect(await providerState()).toEqual(before);
    expect(await lineRows(u.sub)).toEqual([]);
  });
});

describe('POST /v1/me/integrations: a gateway not on the public internet', () => {
  // Each is refused as written, before any name is resolved: no DNS needed (names that resolve to such
  // an address are covered with a fake resolver in test/unit/public-address.test.ts).
  it.each([
    ['the cloud metadata address', '169.254.169.254'],
    ['a private address', '10.0.0.7'],
    ['a loopback address', '127.0.0.1'],
    ['a shared (CGNAT) address', '100.64.0.1'],
    ['a documentation address', '203.0.113.7'],
    ['a multicast address', '224.0.0.1'],
    ['an IPv6 unique local address', 'fd00::1'],
    ['an IPv6 link-local address', 'fe80::1'],
    ['an IPv4-mapped IPv6 loopback', '::ffff:127.0.0.1'],
    ['an internal name', 'metadata.google.internal'],
    ['a .local name', 'pbx.local'],
    ['a localhost name', 'pbx.localhost'],
  ])('%s (%s) → 400 gateway-not-public naming body.gateway; no row, no provider resource', async (_what, gateway) => {
    const u = await user();
    const before = await providerState();
    const res = await u.add(external({ gateway }));
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:fonella:problem:gateway-not-public');
    expect(res.body.errors).toEqual([{ path: 'body.gateway', message: expect.stringContaining(gateway) }]);
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
    expect(await providerState()).toEqual(before);
    expect(await lineRows(u.sub)).toEqual([]);
  });
});

/** The emulator and path of each step's provider call; a step missing here fails the suite. */
const STEP_CALLS: Record<string, { emulator: 'vapi' | 'sipgate'; match: string }> = {
  'create-sipgate-device': { emulator: 'sipgate', match: '/devices/register' },
  'route-sipgate-number': { emulator: 'sipgate', match: '/numbers/' },
  'create-vapi-credential': { emulator: 'vapi', match: '/credential' },
  'create-vapi-phone-number': { emulator: 'vapi', match: '/phone-number' },
};

describe('a provider failure at any step leaves nothing anywhere', () => {
  const cases = (['sipgate', 'external'] as const).flatMap((mode) => LINE_STEPS[mode].map((step, i) => [mode, i + 1, step.name] as const));

  it.each(cases)('mode %s, step %i (%s) → 502, no provider resource and no row', async (mode, _n, name) => {
    const call = STEP_CALLS[name];
    expect(call, `no fault path for step ${name}`).toBeDefined();
    const u = await user();
    const body = mode === 'sipgate' ? { mode, phoneNumber: (await accountNumber()).number } : external();
    const before = await providerState();
    await stack.fault(call!.emulator, { mode: 'error', count: 3, match: call!.match });
    const res = await u.add(body);
    expect(res.status).toBe(502);
    expect(await providerState()).toEqual(before);
    expect(await lineRows(u.sub)).toEqual([]);

    // The same request again succeeds: nothing of the failed one stands in its way.
    await fetch(`${stack.emulators[call!.emulator]}/_faults`, { method: 'DELETE' });
    expect((await u.add(body)).status).toBe(201);
  });
});

/** Free pool numbers, written as an import would (a fixture: the assignment reads them). */
const addFreeNumber = () => addFreePoolNumber(stack);

/** A user with all three lines: a bound pool number, a Sipgate line and an external trunk. */
async function userWithAllLines() {
  // One more free number, so the pool (the stack seeds a few) never runs dry for this suite.
  await addFreeNumber();
  const u = await user({ plan: 'business' });
  const line = await waitFor('the pool line bound in Vapi', async () => {
    const row = (await lineRows(u.sub)).find((r) => r.sk === 'INTEGRATION#POOL');
    return row?.vapiPhoneNumberId ? row : undefined;
  });
  const poolNumber = String(line.number);
  const { number } = await accountNumber();
  expect((await u.add({ mode: 'sipgate', phoneNumber: number })).status).toBe(201);
  expect((await u.add(external())).status).toBe(201);
  const rows = await lineRows(u.sub);
  const ids = (sk: string) => rows.find((r) => r.sk === sk)!;
  return { u, poolNumber, poolPhoneNumberId: String(line.vapiPhoneNumberId), sipgateRow: ids('INTEGRATION#SIPGATE'), externalRow: ids('INTEGRATION#EXTERNAL'), number };
}

describe('DELETE /v1/me/integrations', () => {
  it('without a query removes the pool line (number free again), the Sipgate line and the external trunk; shared trunk and pool credential stay', async () => {
    const all = await userWithAllLines();
    const res = await all.u.remove();
    expect(res.status).toBe(204);
    expect(await lineRows(all.u.sub)).toEqual([]);
    const pool = (await partition(stack, poolKey(all.poolNumber).pk))[0]!;
    expect(pool).toMatchObject({ status: 'free', gsi2sk: `free#${all.poolNumber}` });
    expect(pool.userId).toBeUndefined();

    const v = await vapi();
    const s = await sipgate();
    const gone = [all.poolPhoneNumberId, all.sipgateRow.vapiPhoneNumberId, all.externalRow.vapiPhoneNumberId];
    expect(v.phoneNumbers.filter((p) => gone.includes(p.id))).toEqual([]);
    expect(v.credentials.filter((c) => c.id === all.sipgateRow.vapiCredentialId || c.id === all.externalRow.vapiCredentialId)).toEqual([]);
    expect(v.credentials.some((c) => c.id === assistantConfig().poolCredentialId)).toBe(true);
    expect(s.devices.some((d) => d.id === all.sipgateRow.sipgateDeviceId)).toBe(false);
    expect(s.devices.some((d) => d.id === SIPGATE_LOCAL.trunkDeviceId)).toBe(true);
    expect(s.numbers.find((n) => n.number === all.number)!.endpointId).toBe('p0');
    expect((await stack.call('GET', '/v1/me', { token: all.u.token })).body.integrations).toEqual([]);
  });

  it('?externalOnly=1 removes only the external trunk', async () => {
    const all = await userWithAllLines();
    expect((await all.u.remove('?externalOnly=1')).status).toBe(204);
    expect((await lineRows(all.u.sub)).map((r) => r.sk).sort()).toEqual(['INTEGRATION#POOL', 'INTEGRATION#SIPGATE']);
    const v = await vapi();
    expect(v.credentials.some((c) => c.id === all.externalRow.vapiCredentialId)).toBe(false);
    expect(v.credentials.some((c) => c.id === all.sipgateRow.vapiCredentialId)).toBe(true);
  });

  it('?fonellaSipgateOnly=true removes only the Sipgate line; the number rings the phoneline again', async () => {
    const all = await userWithAllLines();
    expect((await all.u.remove('?fonellaSipgateOnly=true')).status).toBe(204);
    expect((await lineRows(all.u.sub)).map((r) => r.sk).sort()).toEqual(['INTEGRATION#EXTERNAL', 'INTEGRATION#POOL']);
    const s = await sipgate();
    expect(s.devices.some((d) => d.id === all.sipgateRow.sipgateDeviceId)).toBe(false);
    expect(s.numbers.find((n) => n.number === all.number)!.endpointId).toBe('p0');
    expect((await vapi()).credentials.some((c) => c.id === all.externalRow.vapiCredentialId)).toBe(true);
  });

  it('both flags → 400, nothing removed; nothing to remove → 204', async () => {
    const u = await user();
    expect((await u.add(external())).status).toBe(201);
    const both = await u.remove('?externalOnly=1&fonellaSipgateOnly=1');
    expect(both.status).toBe(400);
    expect(await lineRows(u.sub)).toHaveLength(1);
    expect((await u.remove('?externalOnly=yes')).status).toBe(400);

    const bare = await user({ assistant: false });
    expect((await bare.remove()).status).toBe(204);
  });

  it('a removal interrupted by a provider failure → 502 and what remains on record; the same request again removes the rest', async () => {
    const u = await user();
    const before = await providerState();
    expect((await u.add({ mode: 'sipgate', phoneNumber: (await accountNumber()).number })).status).toBe(201);
    await stack.fault('vapi', { mode: 'error', count: 3, match: '/credential/' });
    const failed = await u.remove();
    expect(failed.status).toBe(502);
    const [row] = await lineRows(u.sub);
    expect(row!.vapiPhoneNumberId).toBeUndefined();
    expect(row!.vapiCredentialId).toBeDefined();
    expect(row!.sipgateDeviceId).toBeDefined();

    expect((await u.remove()).status).toBe(204);
    expect(await lineRows(u.sub)).toEqual([]);
    const after = await providerState();
    expect(after.phoneNumbers).toEqual(before.phoneNumbers);
    expect(after.credentials).toEqual(before.credentials);
    expect(after.devices).toEqual(before.devices);
  });

  it('a resource the provider no longer knows counts as removed', async () => {
    const u = await user();
    expect((await u.add(external())).status).toBe(201);
    const [row] = await lineRows(u.sub);
    // Deleted at Vapi behind our back.
    const res = await fetch(`${stack.emulators.vapi}/phone-number/${String(row!.vapiPhoneNumberId)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${stack.credentials.vapi!.apiKey}` },
    });
    expect(res.status).toBe(200);
    expect((await u.remove('?externalOnly=1')).status).toBe(204);
    expect(await lineRows(u.sub)).toEqual([]);
    expect((await vapi()).credentials.some((c) => c.id === row!.vapiCredentialId)).toBe(false);
  });
});
