// fonial API 2.0 over plain fetch. One session (sid) is opened, logged in and reused; when fonial
// refuses it, we log in once more and repeat the call once.
//
// Confirmed by fonial's documentation: seed 001 (../shared/seeds/001_6dd25df393037ad0.txt), the same
// text as https://www.fonial.de/hilfe/api/, whose method headings also name the first two paths.
//   - Base https://kundenkonto.fonial.de/api/2.0; every method is a POST with JSON parameters.
//   - POST /session {} → { sid, status }; POST /session/authenticate { sid, username, password }
//     → { sid, status, authenticated: true | false }.
//   - Every answer carries status "ok" | "error"; on "error" the details are in the field `error`.
//     No HTTP status code is documented for any answer, an expired session included.
//   - Callback { sid, device, target }: target in E.164, device an id from /devices/get (the one
//     method path besides /session the seed names). The request and answer fields of devices,
//     numbers, EVN ({ sid, start, end }, "YYYY-MM-DD HH:MM:SS") and journal (status TAKEN).
// Not documented; taken from third parties, so it may change without notice:
//   - The callback path /call/initiate: the seed lost it. Probes of the live API (github.com/
//     riteshekbote/fonial-hunt, probe-results.md, 2026-09) saw POST /api/2.0/call/initiate answer
//     200 with the API's JSON session error, while paths the API lacks answer 404.
//   - The paths /numbers/get, /evn/get, /journal/get: client code in github.com/drexlma/Fonial-Api-PHP
//     (fonial.class.php) and github.com/fucodo/fucodo.api.fonial (src/FonialApi.php).
//   - A refused sid is answered HTTP 200 with { sid: null, status: "error", reason: "session invalid" }
//     (unknown or missing sid), or reason "session unauthenticated" (fonial-hunt, inventory/fonial.md):
//     the text came in `reason`, not the documented `error`, so both fields are read.
//   - authenticated "1" instead of true: fucodo.api.fonial accepts only `=== '1'`.
// Assumed, without a source:
//   - With no HTTP status documented (and only 200 observed), the re-login keys on the answer:
//     status "error" whose text names the session: the two observed texts, and as a fallback any
//     other wording that mentions the session or sid. A 4xx/5xx goes through providerHttp's mapping.
//   - The texts that mean "not found" (unknown device); timestamps in Europe/Berlin wall-clock time.
import { ProviderNotFoundError, ProviderRejectedError, ProviderUnavailableError, ValidationError } from '../../errors';
import { providerHttp } from '../http';
import type { FonialPhoneSystem, Period } from './port';

/** The seed lost the callback's path; this one is observed on the live API (see above). */
export const FONIAL_CALLBACK_PATH = '/call/initiate';
/** fonial's timestamps are German wall-clock time without an offset. */
export const FONIAL_TIME_ZONE = 'Europe/Berlin';

export interface FonialSettings {
  /** https://kundenkonto.fonial.de/api/2.0, or the emulator's base URL. */
  baseUrl: string;
  username: string;
  password: string;
  /** The device placeCallback rings when the caller names none. */
  deviceId?: number;
  timeZone?: string;
  timeoutMs?: number;
}

type Answer = Record<string, unknown>;

const E164 = /^\+[1-9]\d{1,14}$/;
// Matches the live API's "session invalid" and "session unauthenticated" (see above) and, since fonial
// documents no error texts, also wordings nobody has observed (another language, a missing login).
const SESSION_ERROR = /session|\bsid\b|authenti|not logged in|nicht angemeldet/i;
const NOT_FOUND = /unknown|not found|does not exist|unbekannt|nicht gefunden|existiert nicht/i;

export function fonialAdapter(s: FonialSettings): FonialPhoneSystem {
  const http = providerHttp({ provider: 'fonial', baseUrl: s.baseUrl, timeoutMs: s.timeoutMs });
  const tz = s.timeZone ?? FONIAL_TIME_ZONE;
  let session: Promise<string> | undefined;

  async function post(operation: string, path: string, body: object, idempotent: boolean): Promise<Answer> {
    const { body: answer } = await http.request<unknown>(operation, { method: 'POST', path, json: body, idempotent });
    if (!isRecord(answer) || (answer.status !== 'ok' && answer.status !== 'error')) throw unexpected(operation);
    return answer;
  }

  async function logIn(): Promise<string> {
    const opened = await post('open session', '/session', {}, true);
    if (opened.status !== 'ok' || typeof opened.sid !== 'string') throw failure('open session', opened);
    const creds = { sid: opened.sid, username: s.username, password: s.password };
    const auth = await post('log in', '/session/authenticate', creds, true);
    // The seed documents `true`; a client of the live API expects "1" (see above).
    if (auth.status !== 'ok' || !(auth.authenticated === true || auth.authenticated === '1')) {
      throw new ProviderRejectedError('fonial', 'log in', { cause: 'fonial did not authenticate the session' });
    }
    return opened.sid;
  }

  // Concurrent calls share one login; a failed login is forgotten so that the next call tries again.
  function sid(): Promise<string> {
    if (!session) {
      const pending = logIn();
      session = pending;
      pending.catch(() => {
        if (session === pending) session = undefined;
      });
    }
    return session;
  }

  async function call(operation: string, path: string, fields: object, idempotent: boolean): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const current = sid();
      const answer = await post(operation, path, { sid: await current, ...fields }, idempotent);
      if (answer.status === 'ok') return answer;
      // A refused sid means fonial did nothing, so even the callback may go again, once, after a new login.
      if (attempt === 1 && staleSession(answer)) {
        if (session === current) session = undefined;
        continue;
      }
      throw failure(operation, answer);
    }
  }

  const range = (p: Period) => ({ start: wallClock(p.from, tz), end: wallClock(p.to, tz) });
  const time = (operation: string, v: unknown) => {
    const d = typeof v === 'string' ? fromWallClock(v, tz) : undefined;
    if (!d) throw unexpected(operation);
    return d;
  };

  return {
    async placeCallback({ target, device = s.deviceId }) {
      if (device === undefined) throw new Error('fonial placeCallback: no device given and FONIAL_DEVICE_ID is unset');
      if (!E164.test(target)) throw new ValidationError([{ path: 'target', message: 'must be an E.164 phone number' }]);
      await call('place callback', FONIAL_CALLBACK_PATH, { device, target }, false);
    },

    async listDevices() {
      const op = 'list devices';
      // The seed's example answers `devices`, its field table says `device`.
      const answer = await call(op, '/devices/get', {}, true);
      return rows(op, answer, 'devices', 'device').map((d) => ({ id: id(op, d.id), name: text(d.name) }));
    },

    async listNumbers() {
      const op = 'list numbers';
      const answer = await call(op, '/numbers/get', {}, true);
      return rows(op, answer, 'numbers').map((n) => ({ id: id(op, n.id), number: text(n.number) }));
    },

    async callRecords(period) {
      const op = 'call records';
      const answer = await call(op, '/evn/get', range(period), true);
      return rows(op, answer, 'evn').map((r) => ({
        from: text(r.from),
        to: text(r.to),
        destination: text(r.destination),
        startedAt: time(op, r.dateStart),
        endedAt: time(op, r.dateEnd),
        durationSeconds: Number(r.duration) || 0,
        cost: text(r.costs),
        sipUser: text(r.sipuser),
        device: text(r.target),
      }));
    },

    async inboundJournal(period) {
      const op = 'inbound journal';
      const answer = await call(op, '/journal/get', range(period), true);
      return rows(op, answer, 'journal').map((j) => ({
        at: time(op, j.date),
        from: text(j.from),
        to: text(j.to),
        status: text(j.status),
        answered: j.status === 'TAKEN',
      }));
    },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
/** The documented `error` field, else `reason`, where the live API was seen to put it. */
const errorText = (a: Answer) => text(a.error) || text(a.reason);

/** An HTTP 200 `status: "error"` answer that refuses the sid (no HTTP status is documented for it). */
const staleSession = (a: Answer) => SESSION_ERROR.test(errorText(a));
const unexpected = (operation: string) =>
  new ProviderUnavailableError('fonial', operation, { cause: 'unexpected answer from fonial' });

/** Maps an `error` answer; fonial's short error text goes into the cause for the logs, never the message. */
function failure(operation: string, a: Answer) {
  const cause = `fonial said: ${errorText(a).slice(0, 120) || '(no error text)'}`;
  return NOT_FOUND.test(errorText(a))
    ? new ProviderNotFoundError('fonial', operation, { cause })
    : new ProviderRejectedError('fonial', operation, { cause });
}

function rows(operation: string, a: Answer, ...keys: string[]): Answer[] {
  const list = keys.map((k) => a[k]).find(Array.isArray);
  if (!list) throw unexpected(operation);
  return list.filter(isRecord);
}

// PHP behind the API may send ids as numbers or numeric strings.
function id(operation: string, v: unknown): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw unexpected(operation);
  return n;
}

/** "YYYY-MM-DD HH:MM:SS" in `tz`, the format fonial expects. */
export function wallClock(d: Date, tz: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** Reads a wall-clock time in `tz` back to an instant (two passes settle the offset around DST changes). */
export function fromWallClock(value: string, tz: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, se);
  const offsetAt = (t: number) => Date.parse(`${wallClock(new Date(t), tz).replace(' ', 'T')}Z`) - t;
  const first = asUtc - offsetAt(asUtc);
  return new Date(asUtc - offsetAt(first));
}
