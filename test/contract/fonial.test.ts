// The fonial adapter (plain fetch) against the fonial emulator over HTTP: every port method, the session
// (reused, renewed when stale), fonial's error answers and transport failures as typed errors. A test
// for something the seed does not document names its source in its first line.
import { describe, expect, it } from 'vitest';
import {
  FONIAL_SEEDED_DEVICES,
  FONIAL_SEEDED_NUMBERS,
  createFonialEmulator,
  type StoredCallback,
} from '../../lib/local/emulators/fonial';
import { startEmulator } from '../../lib/local/emulators/kit';
import { ProviderNotFoundError, ProviderRejectedError, ProviderUnavailableError, ValidationError } from '../../shared/errors';
import { FONIAL_CALLBACK_PATH, fonialAdapter, fromWallClock, wallClock, type FonialSettings } from '../../shared/providers/fonial/adapter';
import { FONIAL_API, FONIAL_LOCAL, fonialConfig } from '../../shared/providers/fonial/config';
import { useEmulator } from '../support/emulator';

// Summer time: Berlin wall clock is UTC+2, so a formatter that ignored the zone would miss the records.
const NOW = new Date('2024-07-01T10:00:00Z');
const def = createFonialEmulator({ now: NOW });
const emu = useEmulator(def);

interface State {
  sessions: { sid: string; authenticated: boolean; username?: string; expired: boolean }[];
  callbacks: StoredCallback[];
  devices: unknown[];
  numbers: unknown[];
}
const state = () => emu.inspect<State>();
const pending = emu.pending;
const fault = emu.fault;
const post = (baseUrl: string, path: string, body: unknown) =>
  fetch(baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const raw = async (path: string, body: unknown) => (await (await post(emu.baseUrl, path, body)).json()) as Record<string, unknown>;
const fonial = (over: Partial<FonialSettings> = {}) =>
  fonialAdapter({ baseUrl: emu.baseUrl, username: def.credentials.username!, password: def.credentials.password!, ...over });
const at = (iso: string) => new Date(iso);


describe('fonial adapter', () => {
  it('lists devices and numbers on one logged-in session, and keeps no password in it', async () => {
    const f = fonial();
    expect(await f.listDevices()).toEqual(FONIAL_SEEDED_DEVICES);
    expect(await f.listNumbers()).toEqual(FONIAL_SEEDED_NUMBERS);
    const { sessions } = await state();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ authenticated: true, username: 'fonella-local', expired: false });
    expect(JSON.stringify(sessions)).not.toContain(def.credentials.password);
  });

  it('places a callback on the given device, or on the configured one', async () => {
    await fonial().placeCallback({ device: 674, target: '+4922111223344' });
    await fonial({ deviceId: FONIAL_LOCAL.deviceId }).placeCallback({ target: '+4915112345678' });
    const { callbacks } = await state();
    expect(callbacks.map(({ device, deviceName, target }) => ({ device, deviceName, target }))).toEqual([
      { device: 674, deviceName: 'Telefon Büro', target: '+4922111223344' },
      { device: FONIAL_LOCAL.deviceId, deviceName: 'Telefon Empfang', target: '+4915112345678' },
    ]);
  });

  it('reads call records (EVN) for a period given in Berlin wall-clock time', async () => {
    const f = fonial();
    const records = await f.callRecords({ from: at('2024-07-01T08:30:00Z'), to: NOW });
    expect(records).toEqual([
      {
        from: '+4930231250010',
        to: '+4922111223344',
        destination: 'Deutschland (Festnetz)',
        startedAt: at('2024-07-01T09:00:00Z'),
        endedAt: at('2024-07-01T09:11:07Z'),
        durationSeconds: 667,
        cost: '0.1000',
        sipUser: 'fo212345ip12345_00',
        device: 'Telefon Empfang',
      },
    ]);
    const twoDays = await f.callRecords({ from: at('2024-06-29T10:00:00Z'), to: NOW });
    expect(twoDays.map((r) => r.startedAt)).toEqual([at('2024-07-01T09:00:00Z'), at('2024-06-30T08:00:00Z')]);
  });

  it('reads the inbound journal with each call’s status', async () => {
    const f = fonial();
    expect(await f.inboundJournal({ from: at('2024-07-01T07:30:00Z'), to: NOW })).toEqual([
      { at: at('2024-07-01T08:00:00Z'), from: '+4922111223344', to: '+4930231250010', status: 'TAKEN', answered: true },
    ]);
    const all = await f.inboundJournal({ from: at('2024-06-29T00:00:00Z'), to: NOW });
    expect(all.map((j) => [j.status, j.answered])).toEqual([['TAKEN', true], ['MISSED', false]]);
  });

  it('accepts authenticated "1", as live accounts answer', async () => {
    const other = await startEmulator(createFonialEmulator({ authenticatedAs: '1' }), { port: 0 });
    try {
      const opened = (await (await fetch(`${other.baseUrl}/session`, { method: 'POST', body: '{}' })).json()) as { sid: string };
      const login = await (await fetch(`${other.baseUrl}/session/authenticate`, { method: 'POST', body: JSON.stringify({ sid: opened.sid, ...FONIAL_LOCAL }) })).json();
      expect(login).toMatchObject({ status: 'ok', authenticated: '1' });
      const f = fonialAdapter({ baseUrl: other.baseUrl, username: FONIAL_LOCAL.username, password: FONIAL_LOCAL.password });
      expect(await f.listNumbers()).toHaveLength(FONIAL_SEEDED_NUMBERS.length);
    } finally {
      await other.close();
    }
  });

  it('a wrong password → ProviderRejectedError, and the session stays unauthenticated', async () => {
    await expect(fonial({ password: 'wrong' }).listDevices()).rejects.toBeInstanceOf(ProviderRejectedError);
    const { sessions } = await state();
    expect(sessions.map((s) => s.authenticated)).toEqual([false]);
  });

  it('a stale session → logs in again and the call succeeds', async () => {
    const f = fonial();
    await f.listDevices();
    def.expireSessions();
    expect(await f.listNumbers()).toEqual(FONIAL_SEEDED_NUMBERS);
    const { sessions } = await state();
    expect(sessions.map((s) => [s.expired, s.authenticated])).toEqual([[true, true], [false, true]]);
  });

  it('a stale session on the callback → one new login, exactly one call placed', async () => {
    const f = fonial();
    await f.listDevices();
    def.expireSessions();
    await f.placeCallback({ device: 674, target: '+4922111223344' });
    const { sessions, callbacks } = await state();
    expect(sessions).toHaveLength(2);
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]!.sid).toBe(sessions[1]!.sid);
  });

  // Source: live-API probes, github.com/riteshekbote/fonial-hunt probe-results.md (seed 001 lost the path).
  it('places the callback with POST /call/initiate, the path the live API answers', async () => {
    expect(FONIAL_CALLBACK_PATH).toBe('/call/initiate');
    const count = () => emu.running.stats().byPath['POST /call/initiate'] ?? 0;
    const before = count();
    await fonial().placeCallback({ device: 674, target: '+4922111223344' });
    expect(count()).toBe(before + 1);
    expect((await state()).callbacks).toHaveLength(1);
  });

  // Source: live-API probes, github.com/riteshekbote/fonial-hunt inventory/fonial.md (text in `reason`, HTTP 200).
  it('a stale session refused in `reason`, as the live API answers → logs in again and the call succeeds', async () => {
    const live = createFonialEmulator({ errorField: 'reason' });
    const other = await startEmulator(live, { port: 0 });
    try {
      const f = fonialAdapter({ baseUrl: other.baseUrl, username: FONIAL_LOCAL.username, password: FONIAL_LOCAL.password });
      await f.listDevices();
      live.expireSessions();
      const refused = await post(other.baseUrl, '/numbers/get', { sid: 'expired' });
      expect(refused.status).toBe(200);
      expect(await refused.json()).toEqual({ sid: null, status: 'error', reason: 'session invalid' });
      expect(await f.listNumbers()).toEqual(FONIAL_SEEDED_NUMBERS);
      expect(other.stats().byPath['POST /session/authenticate']).toBe(2);
    } finally {
      await other.close();
    }
  });

  it('concurrent first calls share one login', async () => {
    const f = fonial();
    await Promise.all([f.listDevices(), f.listNumbers(), f.inboundJournal({ from: at('2024-07-01T00:00:00Z'), to: NOW })]);
    expect((await state()).sessions).toHaveLength(1);
  });

  it('an unknown device → ProviderNotFoundError, nothing placed', async () => {
    await expect(fonial().placeCallback({ device: 9999, target: '+4922111223344' })).rejects.toBeInstanceOf(ProviderNotFoundError);
    expect((await state()).callbacks).toEqual([]);
  });

  it('a target that is not E.164 → ValidationError before anything is sent', async () => {
    await expect(fonial().placeCallback({ device: 674, target: '0221 112233' })).rejects.toBeInstanceOf(ValidationError);
    expect(await state()).toMatchObject({ sessions: [], callbacks: [] });
  });

  it('an injected 5xx on every try → ProviderUnavailableError (the login is retried)', async () => {
    await fault({ mode: 'error', count: 3 });
    await expect(fonial().listDevices()).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(await pending()).toEqual([]);
  });

  it('reads are retried past a passing 5xx; the callback is not', async () => {
    const f = fonial();
    await fault({ mode: 'error', count: 2, match: '/devices/get' });
    expect(await f.listDevices()).toHaveLength(2);
    await fault({ mode: 'error', count: 2, match: FONIAL_CALLBACK_PATH });
    await expect(f.placeCallback({ device: 674, target: '+4922111223344' })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect((await pending()).map((p) => p.count)).toEqual([1]);
    expect((await state()).callbacks).toEqual([]);
  });

  it('no answer → ProviderUnavailableError within the timeout', async () => {
    const f = fonial({ timeoutMs: 300 });
    await f.listDevices();
    await fault({ mode: 'timeout', count: 1, match: FONIAL_CALLBACK_PATH });
    const started = Date.now();
    await expect(f.placeCallback({ device: 674, target: '+4922111223344' })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await state()).callbacks).toEqual([]);
  });
});

describe('fonial emulator error answers (seed 001: status "error", details in `error`)', () => {
  const login = async () => {
    const { sid } = (await raw('/session', {})) as { sid: string };
    await raw('/session/authenticate', { sid, ...FONIAL_LOCAL });
    return sid;
  };

  // Source: seed 001 for status and `error`; live-API probes (fonial-hunt inventory/fonial.md) for HTTP 200, sid null, the texts.
  it('refuses an unknown, missing or expired sid with HTTP 200 "session invalid", one never logged in with "session unauthenticated"', async () => {
    const invalid = { sid: null, status: 'error', error: 'session invalid' };
    const unknown = await post(emu.baseUrl, '/devices/get', { sid: 'nope' });
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual(invalid);
    expect(await raw('/devices/get', {})).toEqual(invalid);
    const { sid } = (await raw('/session', {})) as { sid: string };
    expect(await raw('/numbers/get', { sid })).toEqual({ sid, status: 'error', error: 'session unauthenticated' });
    const stale = await login();
    def.expireSessions();
    expect(await raw(FONIAL_CALLBACK_PATH, { sid: stale, device: 674, target: '+4922111223344' })).toEqual(invalid);
    expect((await state()).callbacks).toEqual([]);
  });

  it('answers a wrong login with authenticated: false', async () => {
    const { sid } = (await raw('/session', {})) as { sid: string };
    expect(await raw('/session/authenticate', { sid, username: 'fonella-local', password: 'x' })).toEqual({ sid, status: 'ok', authenticated: false });
    expect(await raw('/session/authenticate', { sid, username: 'fonella-local' })).toEqual({ status: 'error', error: 'Missing parameter: password' });
  });

  it('names a missing or malformed field', async () => {
    const sid = await login();
    expect(await raw(FONIAL_CALLBACK_PATH, { sid, device: 674 })).toMatchObject({ status: 'error', error: 'Missing parameter: target' });
    expect(await raw(FONIAL_CALLBACK_PATH, { sid, device: 674, target: '0221' })).toMatchObject({ status: 'error', error: 'Invalid parameter: target' });
    expect(await raw('/evn/get', { sid, start: '2024-07-01T10:00:00Z', end: '2024-07-01 12:00:00' })).toMatchObject({ status: 'error', error: 'Invalid parameter: start' });
    expect((await state()).callbacks).toEqual([]);
  });
});

describe('fonial time and config', () => {
  it('writes and reads Berlin wall-clock time in summer and winter', () => {
    expect(wallClock(at('2024-07-01T22:30:05Z'), 'Europe/Berlin')).toBe('2024-07-02 00:30:05');
    expect(wallClock(at('2024-01-15T12:00:00Z'), 'Europe/Berlin')).toBe('2024-01-15 13:00:00');
    expect(fromWallClock('2024-07-02 00:30:05', 'Europe/Berlin')).toEqual(at('2024-07-01T22:30:05Z'));
    expect(fromWallClock('2024-01-15 13:00:00', 'Europe/Berlin')).toEqual(at('2024-01-15T12:00:00Z'));
    expect(fromWallClock('15.01.2024 13:00', 'Europe/Berlin')).toBeUndefined();
  });

  it('defaults to the emulator and its seeded device locally, to fonial elsewhere', () => {
    const local = fonialConfig.parse({ STAGE: 'test' });
    expect(local).toEqual({ baseUrl: 'http://127.0.0.1:4005', username: 'fonella-local', password: 'local-password', deviceId: FONIAL_LOCAL.deviceId });
    expect(FONIAL_SEEDED_DEVICES.map((d) => d.id)).toContain(local.deviceId);
    const prod = fonialConfig.parse({ STAGE: 'prod', FONIAL_USERNAME: 'u', FONIAL_PASSWORD: 'p', FONIAL_DEVICE_ID: '674' });
    expect(prod).toEqual({ baseUrl: FONIAL_API, username: 'u', password: 'p', deviceId: 674 });
    expect(() => fonialConfig.parse({ STAGE: 'prod', FONIAL_USERNAME: 'u' })).toThrow(/FONIAL_PASSWORD/);
    expect(() => fonialConfig.parse({ STAGE: 'prod', FONIAL_USERNAME: 'u', FONIAL_PASSWORD: 'p', FONIAL_DEVICE_ID: 'x' })).toThrow(/FONIAL_DEVICE_ID/);
  });
});
