// The Sipgate adapter against the Sipgate emulator, over HTTP.
import { describe, expect, it } from 'vitest';
import { createSipgateEmulator } from '../../lib/local/emulators/sipgate';
import { ForbiddenError, ProviderNotFoundError, ProviderRejectedError, ProviderUnavailableError } from '../../shared/errors';
import { sipgateAdapter, type SipgateSettings } from '../../shared/providers/sipgate/adapter';
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
  devices: { id: string; alias: string; type: string; sipId: string; password: string }[];
};

describe('sipgate adapter', () => {
  it('lists the account’s numbers in E.164 with their endpoint', async () => {
    const numbers = await sipgate().listNumbers();
    expect(numbers.length).toBeGreaterThan(0);
    for (const n of numbers) expect(n.number).toMatch(/^\+49\d+$/);
    expect(numbers[0]).toEqual({ id: 'n10', number: '+4921155501010', type: 'LANDLINE', endpointId: 'p0' });
  });

  it('creates a register device, returns its SIP credentials once, and lists it', async () => {
    const s = sipgate();
    const device = await s.createRegisterDevice({ userId: 'w0', alias: 'Fonella Bäckerei' });
    expect(device.deviceId).toMatch(/^r\d+$/);
    expect(device.password.length).toBeGreaterThan(8);
    const stored = (await emu.inspect<State>()).devices.at(-1);
    expect(stored).toMatchObject({ id: device.deviceId, alias: 'Fonella Bäckerei', type: 'REGISTER', sipId: device.sipId, password: '********' });
    const listed = await s.listDevices('w0');
    expect(listed).toEqual([
      { id: SIPGATE_LOCAL.trunkDeviceId, alias: 'Fonella trunk', type: 'TRUNKING' },
      { id: device.deviceId, alias: 'Fonella Bäckerei', type: 'REGISTER' },
    ]);
    expect(JSON.stringify(listed)).not.toContain(device.password);
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
    await expect(sipgate().deleteDevice('r999')).rejects.toBeInstanceOf(ProviderNotFoundError);
    await expect(sipgate().routeNumber({ numberId: 'n999', endpointId: 'p0' })).rejects.toBeInstanceOf(ProviderNotFoundError);
    await expect(sipgate().routeNumber({ numberId: 'n10', endpointId: 'r999' })).rejects.toBeInstanceOf(ProviderRejectedError);
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

describe('sipgate config', () => {
  it('points at the emulator locally and at Sipgate when deployed, where the token is required', () => {
    expect(sipgateConfig.parse({ STAGE: 'local' })).toMatchObject({ baseUrl: 'http://127.0.0.1:4004', userId: 'w0', trunkDeviceId: SIPGATE_LOCAL.trunkDeviceId });
    const prod = { STAGE: 'prod', SIPGATE_TOKEN_ID: 'token-ABC123', SIPGATE_TOKEN: 't', SIPGATE_USER_ID: 'w0', SIPGATE_TRUNK_DEVICE_ID: 'y3' };
    expect(sipgateConfig.parse(prod)).toMatchObject({ baseUrl: 'https://api.sipgate.com/v2', trunkDeviceId: 'y3' });
    expect(() => sipgateConfig.parse({ ...prod, SIPGATE_TOKEN: undefined })).toThrow(/SIPGATE_TOKEN/);
  });

  it('the emulator hands the adapter everything its config needs', () => {
    const env = createSipgateEmulator().env('http://127.0.0.1:9');
    expect(sipgateConfig.parse({ STAGE: 'prod', ...env })).toMatchObject({ baseUrl: 'http://127.0.0.1:9', userId: 'w0' });
  });
});
