// The Sipgate adapter against the Sipgate emulator, over HTTP.
import { describe, expect, it } from 'vitest';
import { createSipgateEmulator } from '../../lib/local/emulators/sipgate';
import { ForbiddenError, ProviderNotFoundError, ProviderRejectedError, ProviderUnavailableError } from '../../shared/errors';
import { SipgateRegisterDeviceForbiddenError, sipgateAdapter, type SipgateSettings } from '../../shared/providers/sipgate/adapter';
import { SIPGATE_LOCAL, sipgateConfig } from '../../shared/providers/sipgate/config';
import { useEmulator } from '../support/emulator';

const emu = useEmulator(createSipgateEmulator());
const sipgate = (over: Partial<SipgateSettings> = {}) =>
  sipgateAdapter({
    baseUrl: emu.baseUrl,
    tokenId: SIPGATE_LOCAL.tokenId,
    token: SIPGATE_LOCAL.token,
    protectedDeviceIds: [SIPGATE_LOCAL.trunkDeviceId],
    ...over,
  });
type State = {
  numbers: { id: string; number: string; endpointId: string }[];
  devices: { id: string; alias: string; type: string; username: string; password: string }[];
};
/** Sipgate's own wire, for what the adapter reads but does not hand on (status codes, passwords). */
const wire = (path: string, init: RequestInit = {}) =>
  fetch(`${emu.baseUrl}${path}`, {
    ...init,
    headers: {
      authorization: `Basic ${Buffer.from(`${SIPGATE_LOCAL.tokenId}:${SIPGATE_LOCAL.token}`).toString('base64')}`,
      'content-type': 'application/json',
    },
  });
const restrict = (restrictions: { CAN_CREATE_REGISTER_DEVICE: boolean }) =>
  fetch(`${emu.baseUrl}/_restrictions`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(restrictions) });

describe('sipgate adapter', () => {
  it('lists the account’s numbers in E.164 with their national form and endpoint', async () => {
    const numbers = await sipgate().listNumbers();
    expect(numbers.length).toBeGreaterThan(0);
    for (const n of numbers) expect(n.number).toMatch(/^\+49\d+$/);
    expect(numbers[0]).toEqual({ id: 'n10', number: '+4921155501010', type: 'LANDLINE', localized: '0211 55501010', endpointId: 'p0' });
    // The hotline trunk's numbers: the area code is the first group of the national form.
    expect(numbers.find((n) => n.number === '+493023125001')).toMatchObject({ localized: '030 23125001', endpointId: SIPGATE_LOCAL.hotlineTrunkDeviceId });
  });

  it("a number added through /_numbers keeps the national form given, else sipgate's answer repeats the number", async () => {
    const add = async (body: Record<string, unknown>) =>
      (await fetch(`${emu.baseUrl}/_numbers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;
    expect(await add({ number: '+495115550100', localized: '0511 5550100', endpointId: SIPGATE_LOCAL.hotlineTrunkDeviceId })).toBe(201);
    expect(await add({ number: '+495115550101' })).toBe(201);
    expect(await add({ number: '+495115550102', localized: '511 5550102' })).toBe(400);
    const numbers = await sipgate().listNumbers();
    expect(numbers.find((n) => n.number === '+495115550100')).toMatchObject({ localized: '0511 5550100', endpointId: SIPGATE_LOCAL.hotlineTrunkDeviceId });
    expect(numbers.find((n) => n.number === '+495115550101')).toMatchObject({ localized: '+495115550101', endpointId: 'p0' });
    expect(numbers.map((n) => n.number)).not.toContain('+495115550102');
  });

  it("reads one register device's SIP login from the device list; another user's or an unknown device → ProviderNotFoundError", async () => {
    const login = await sipgate().deviceLogin({ userId: 'w0', deviceId: SIPGATE_LOCAL.hotlineTrunkDeviceId });
    const listed = (await (await wire('/w0/devices')).json()) as { items: { id: string; credentials?: { username: string; password: string; sipServer: string } }[] };
    const own = listed.items.find((d) => d.id === SIPGATE_LOCAL.hotlineTrunkDeviceId)!.credentials!;
    expect(login).toEqual({ sipId: own.username, password: own.password, sipServer: own.sipServer });
    expect(login.sipId).toBe(`1234567${SIPGATE_LOCAL.hotlineTrunkDeviceId}`);
    await expect(sipgate().deviceLogin({ userId: 'w0', deviceId: 'e999' })).rejects.toBeInstanceOf(ProviderNotFoundError);
    await expect(sipgate().deviceLogin({ userId: 'w99', deviceId: SIPGATE_LOCAL.hotlineTrunkDeviceId })).rejects.toBeInstanceOf(ProviderNotFoundError);
  });

  // Source: sipgate's v2 OpenAPI, RegisterDeviceResponse / CredentialsResponse (credentials.username; device ids like e0).
  it('creates a register device: its SIP user is credentials.username, its id like e5; lists it without credentials', async () => {
    const s = sipgate();
    const device = await s.createRegisterDevice({ userId: 'w0', alias: 'Fonella Bäckerei' });
    expect(device.deviceId).toMatch(/^e\d+$/);
    expect(device.sipId).toMatch(/^\d+e\d+$/);
    expect(device.sipId.endsWith(device.deviceId)).toBe(true);
    expect(device.password.length).toBeGreaterThan(8);
    const stored = (await emu.inspect<State>()).devices.at(-1);
    expect(stored).toMatchObject({ id: device.deviceId, alias: 'Fonella Bäckerei', type: 'REGISTER', username: device.sipId, password: '********' });
    const listed = await s.listDevices('w0');
    expect(listed).toEqual([
      { id: SIPGATE_LOCAL.trunkDeviceId, alias: 'Fonella trunk', type: 'REGISTER' },
      { id: SIPGATE_LOCAL.hotlineTrunkDeviceId, alias: 'Fonella hotline trunk', type: 'REGISTER' },
      { id: device.deviceId, alias: 'Fonella Bäckerei', type: 'REGISTER' },
    ]);
    expect(JSON.stringify(listed)).not.toContain(device.password);
  });

  // Source: sipgate v2 OpenAPI (createRegisterDevice → 200; types REGISTER|MOBILE|EXTERNAL); list with password: sipgate-io/sipgateio-node lib/devices/devices.test.ts.
  it('on the wire, as sipgate: create answers 200 without sipId, and the device list repeats the password', async () => {
    const created = await wire('/w0/devices/register', { method: 'POST', body: JSON.stringify({ alias: 'Wire' }) });
    expect(created.status).toBe(200);
    const body = (await created.json()) as { id: string; type: string; credentials: Record<string, string> };
    expect(body).toMatchObject({ id: expect.stringMatching(/^e\d+$/), type: 'REGISTER' });
    expect(Object.keys(body.credentials).sort()).toEqual(['outboundProxy', 'password', 'sipServer', 'sipServerWebsocketUrl', 'username']);
    const list = (await (await wire('/w0/devices')).json()) as { items: { id: string; type: string; credentials?: { password?: string } }[] };
    expect(list.items.find((d) => d.id === body.id)?.credentials?.password).toBe(body.credentials.password);
    for (const d of list.items) expect(['REGISTER', 'MOBILE', 'EXTERNAL']).toContain(d.type);
  });

  // Source: sipgate's v2 OpenAPI, createRegisterDevice: "the Restriction CAN_CREATE_REGISTER_DEVICE needs to be true".
  it('a web user without CAN_CREATE_REGISTER_DEVICE → 403 → SipgateRegisterDeviceForbiddenError naming user and right', async () => {
    expect((await restrict({ CAN_CREATE_REGISTER_DEVICE: false })).status).toBe(200);
    const err = await sipgate().createRegisterDevice({ userId: 'w0', alias: 'X' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SipgateRegisterDeviceForbiddenError);
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(err).toMatchObject({ providerStatus: 403, userId: 'w0', status: 502 });
    expect((err as Error).message).toMatch(/w0.*CAN_CREATE_REGISTER_DEVICE/);
    expect((await emu.inspect<State>()).devices.map((d) => d.alias)).not.toContain('X');
    expect(await sipgate().listDevices('w0')).toHaveLength(2);
  });

  it('an unknown web user → ProviderNotFoundError for creating and listing devices', async () => {
    await expect(sipgate().createRegisterDevice({ userId: 'w99', alias: 'X' })).rejects.toBeInstanceOf(ProviderNotFoundError);
    await expect(sipgate().listDevices('w99')).rejects.toBeInstanceOf(ProviderNotFoundError);
    expect((await emu.inspect<State>()).devices.map((d) => d.alias)).not.toContain('X');
  });

  it('routes a number to the device, and deleting the device frees the number', async () => {
    const s = sipgate();
    const { deviceId } = await s.createRegisterDevice({ userId: 'w0', alias: 'Line' });
    await s.routeNumber({ numberId: 'n11', endpointId: deviceId });
    expect((await emu.inspect<State>()).numbers.find((n) => n.id === 'n11')?.endpointId).toBe(deviceId);
    await s.deleteDevice(deviceId);
    const state = await emu.inspect<State>();
    expect(state.devices.map((d) => d.id)).not.toContain(deviceId);
    expect(state.numbers.find((n) => n.id === 'n11')?.endpointId).toBe('p0');
  });

  it('never deletes the shared trunk device, without asking Sipgate', async () => {
    await expect(sipgate().deleteDevice(SIPGATE_LOCAL.trunkDeviceId)).rejects.toBeInstanceOf(ForbiddenError);
    expect((await emu.inspect<State>()).devices.map((d) => d.id)).toContain(SIPGATE_LOCAL.trunkDeviceId);
  });


  it('unknown ids → ProviderNotFoundError; an unknown endpoint is refused and routes nothing', async () => {
    await expect(sipgate().deleteDevice('e999')).rejects.toBeInstanceOf(ProviderNotFoundError);
    await expect(sipgate().routeNumber({ numberId: 'n999', endpointId: 'p0' })).rejects.toBeInstanceOf(ProviderNotFoundError);
    await expect(sipgate().routeNumber({ numberId: 'n10', endpointId: 'e999' })).rejects.toBeInstanceOf(ProviderRejectedError);
    expect((await emu.inspect<State>()).numbers.find((n) => n.id === 'n10')?.endpointId).toBe('p0');
  });

  it('a wrong token → ProviderRejectedError whose message names no credential', async () => {
    const err = await sipgate({ token: 'wrong-token-value' }).createRegisterDevice({ userId: 'w0', alias: 'X' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(err).toMatchObject({ providerStatus: 401 });
    expect(JSON.stringify({ m: (err as Error).message, c: (err as Error).cause })).not.toContain('wrong-token-value');
    expect((await emu.inspect<State>()).devices.map((d) => d.alias)).not.toContain('X');
  });

  it('a device creation that fails with 5xx is not retried (no second device)', async () => {
    await emu.fault({ mode: 'error', count: 1, match: '/devices/register' });
    await expect(sipgate().createRegisterDevice({ userId: 'w0', alias: 'X' })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect((await emu.inspect<State>()).devices.map((d) => d.alias)).not.toContain('X');
    expect(await emu.pending()).toEqual([]);
  });

  it('a read retries past one 5xx; persistent 5xx → ProviderUnavailableError after three attempts', async () => {
    await emu.fault({ mode: 'error', count: 1 });
    expect((await sipgate().listNumbers()).length).toBeGreaterThan(0);
    expect(await emu.pending()).toEqual([]);
    await emu.fault({ mode: 'error', count: 5 });
    await expect(sipgate().listNumbers()).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(await emu.pending()).toEqual([expect.objectContaining({ count: 2 })]);
  });

  it('no answer → ProviderUnavailableError within the timeout', async () => {
    await emu.fault({ mode: 'timeout', count: 5 });
    const started = Date.now();
    await expect(sipgate({ timeoutMs: 300 }).listDevices('w0')).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('sipgate emulator configured without the right to create register devices', () => {
  const restricted = useEmulator(createSipgateEmulator({ restrictions: { CAN_CREATE_REGISTER_DEVICE: false } }));

  it('refuses every creation, also after a reset, and the adapter says why', async () => {
    const s = sipgateAdapter({ baseUrl: restricted.baseUrl, tokenId: SIPGATE_LOCAL.tokenId, token: SIPGATE_LOCAL.token });
    await expect(s.createRegisterDevice({ userId: 'w0', alias: 'X' })).rejects.toBeInstanceOf(SipgateRegisterDeviceForbiddenError);
    await fetch(`${restricted.baseUrl}/_reset`, { method: 'POST' });
    await expect(s.createRegisterDevice({ userId: 'w0', alias: 'X' })).rejects.toMatchObject({ providerStatus: 403 });
    expect((await restricted.inspect<State>()).devices).toHaveLength(2);
  });
});

describe('sipgate config', () => {
  it('points at the emulator locally and at Sipgate when deployed, where the token is required', () => {
    expect(sipgateConfig.parse({ STAGE: 'local' })).toMatchObject({
      baseUrl: 'http://127.0.0.1:4004',
      userId: 'w0',
      trunkDeviceId: SIPGATE_LOCAL.trunkDeviceId,
      hotlineTrunkDeviceId: SIPGATE_LOCAL.hotlineTrunkDeviceId,
    });
    const prod = { STAGE: 'prod', SIPGATE_TOKEN_ID: 'token-ABC123', SIPGATE_TOKEN: 't', SIPGATE_USER_ID: 'w0', SIPGATE_TRUNK_DEVICE_ID: 'y3', SIPGATE_HOTLINE_TRUNK_DEVICE_ID: 'e7' };
    expect(sipgateConfig.parse(prod)).toMatchObject({ baseUrl: 'https://api.sipgate.com/v2', trunkDeviceId: 'y3', hotlineTrunkDeviceId: 'e7' });
    expect(() => sipgateConfig.parse({ ...prod, SIPGATE_TOKEN: undefined })).toThrow(/SIPGATE_TOKEN/);
    expect(() => sipgateConfig.parse({ ...prod, SIPGATE_HOTLINE_TRUNK_DEVICE_ID: undefined })).toThrow(/SIPGATE_HOTLINE_TRUNK_DEVICE_ID/);
  });

  it('the emulator hands the adapter everything its config needs', () => {
    const env = createSipgateEmulator().env('http://127.0.0.1:9');
    expect(sipgateConfig.parse({ STAGE: 'prod', ...env })).toMatchObject({ baseUrl: 'http://127.0.0.1:9', userId: 'w0' });
  });
});
