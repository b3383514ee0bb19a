// The Sipgate adapter against the Sipgate emulator, over HTTP.
import { describe, expect, it } from 'vitest';
import { createSipgateEmulator } from '../../lib/local/emulators/sipgate';
import { ForbiddenError, ProviderNotFoundError, ProviderRejectedError, ProviderUnavailableError } from '../../shared/errors';
import { sipgateAdapter, type SipgateSettings } from '../../shared/providers/sipgate/adapter';
import { SIPGATE_LOCAL } from '../../shared/providers/sipgate/config';
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
  devices: { id: string; alias: string; password: string }[];
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
    const listed = await s.listDevices('w0');
    expect(listed).toContainEqual({ id: device.deviceId, alias: 'Fonella Bäckerei', type: 'REGISTER' });
    const stored = (await emu.inspect<State>()).devices.find((d) => d.id === device.deviceId);
    expect(stored?.password).toBe('********');
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

  it('unknown ids → ProviderNotFoundError', async () => {
    await expect(sipgate().deleteDevice('r999')).rejects.toBeInstanceOf(ProviderNotFoundError);
    await expect(sipgate().routeNumber({ numberId: 'n999', endpointId: 'p0' })).rejects.toBeInstanceOf(ProviderNotFoundError);
  });

  it('a wrong token → ProviderRejectedError', async () => {
    await expect(sipgate({ token: 'wrong' }).listNumbers()).rejects.toBeInstanceOf(ProviderRejectedError);
  });

  it('a device creation that fails with 5xx is not retried (no second device)', async () => {
    await emu.fault({ mode: 'error', count: 1, match: '/devices/register' });
    await expect(sipgate().createRegisterDevice({ userId: 'w0', alias: 'X' })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect((await emu.inspect<State>()).devices.map((d) => d.alias)).not.toContain('X');
    expect(await emu.pending()).toEqual([]);
  });

  it('a read retries past one 5xx; persistent 5xx or no answer → ProviderUnavailableError', async () => {
    await emu.fault({ mode: 'error', count: 1 });
    expect((await sipgate().listNumbers()).length).toBeGreaterThan(0);
    await emu.fault({ mode: 'error', count: 5 });
    await expect(sipgate().listNumbers()).rejects.toBeInstanceOf(ProviderUnavailableError);
    await fetch(`${emu.baseUrl}/_faults`, { method: 'DELETE' });
    await emu.fault({ mode: 'timeout', count: 5 });
    await expect(sipgate({ timeoutMs: 200 }).listDevices('w0')).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});
