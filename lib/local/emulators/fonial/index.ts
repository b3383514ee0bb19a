// fonial emulator: API 2.0 as seed 001 has it (every call a JSON POST answered with status ok|error,
// details in `error`; sessions that must be logged in). Seeds devices, numbers and call records; keeps
// placed callbacks. Where the seed is silent it follows what was observed on the live API (see the
// adapter's header): the callback at /call/initiate, a refused sid answered HTTP 200 "session invalid".
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { FONIAL_LOCAL } from '../../../../shared/providers/fonial/config';
import { Router, json, type EmulatorDefinition, type RouteHandler } from '../kit';

interface Session {
  sid: string;
  createdAt: string;
  authenticated: boolean;
  username?: string;
  expired: boolean;
}

export interface StoredCallback {
  id: number;
  sid: string;
  device: number;
  deviceName: string;
  target: string;
  placedAt: string;
}

export interface FonialEmulator extends EmulatorDefinition {
  /** Makes every open session unknown, as when fonial times them out: the next call must log in again. */
  expireSessions(): void;
}

export interface FonialEmulatorOptions {
  username?: string;
  password?: string;
  /** What a successful login answers in `authenticated`: the seed's `true`, or "1" as a live-API client expects. */
  authenticatedAs?: true | '1';
  /** Where an error answer puts its text: the seed's `error` (default), or `reason` as the live API was seen to. */
  errorField?: 'error' | 'reason';
  /** Seeded call records lie hours before this instant (default: when the emulator is created). */
  now?: Date;
}

export const FONIAL_SEEDED_DEVICES = [
  { id: FONIAL_LOCAL.deviceId, name: 'Telefon Empfang' },
  { id: 674, name: 'Telefon Büro' },
];
// Numbers from the 030 23125 block, reserved for fiction.
export const FONIAL_SEEDED_NUMBERS = [
  { id: 21, number: '+4930231250010' },
  { id: 276, number: '+4930231250011' },
];

/** Written here, not imported from the adapter, so that the contract test compares the two. */
const CALLBACK_PATH = '/call/initiate';
const E164 = /^\+[1-9]\d{1,14}$/;
const WALL_CLOCK = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const HOUR = 3_600_000;
// fonial's own wall-clock format, independent of the adapter's formatter so each checks the other.
const berlin = (t: number) => new Date(t).toLocaleString('sv-SE', { timeZone: 'Europe/Berlin' });

const callbackSchema = z.object({
  device: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
  target: z.string().regex(E164),
});
const rangeSchema = z.object({ start: z.string().regex(WALL_CLOCK), end: z.string().regex(WALL_CLOCK) });

export function createFonialEmulator(opts: FonialEmulatorOptions = {}): FonialEmulator {
  const username = opts.username ?? FONIAL_LOCAL.username;
  const password = opts.password ?? FONIAL_LOCAL.password;
  const now = (opts.now ?? new Date()).getTime();
  const sessions = new Map<string, Session>();
  const callbacks: StoredCallback[] = [];
  const evn = [
    { from: '+4930231250010', to: '+4922111223344', destination: 'Deutschland (Festnetz)', start: now - HOUR, duration: 667, costs: '0.1000', sipuser: 'fo212345ip12345_00', target: 'Telefon Empfang' },
    { from: '+4930231250011', to: '+4915112345678', destination: 'Deutschland (Mobilfunk)', start: now - 26 * HOUR, duration: 95, costs: '0.1900', sipuser: 'fo212345ip12345_01', target: 'Telefon Büro' },
  ].map(({ start, ...r }) => ({ ...r, dateStart: berlin(start), dateEnd: berlin(start + r.duration * 1000) }));
  // Only TAKEN is documented; MISSED stands for any other status fonial may send.
  const journal = [
    { date: berlin(now - 2 * HOUR), from: '+4922111223344', to: '+4930231250010', status: 'TAKEN' },
    { date: berlin(now - 27 * HOUR), from: '+4915112345678', to: '+4930231250011', status: 'MISSED' },
  ];

  const errorField = opts.errorField ?? 'error';
  const ok = (sid: string | undefined, fields: object = {}) => json({ ...(sid ? { sid } : {}), status: 'ok', ...fields });
  const refuse = (error: string, sid?: string | null) =>
    json({ ...(sid === undefined ? {} : { sid }), status: 'error', [errorField]: error });
  // fonial documents no HTTP status for a refused session; the live API was seen answering 200, sid null.
  const invalidSession = () => refuse('session invalid', null);

  const readBody = async (req: Request): Promise<Record<string, unknown> | undefined> => {
    try {
      const b: unknown = await req.json();
      return typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const problem = (e: z.ZodError, body: Record<string, unknown>) => {
    const key = String(e.issues[0]?.path[0] ?? '');
    return body[key] === undefined ? `Missing parameter: ${key}` : `Invalid parameter: ${key}`;
  };

  /** A method that needs a logged-in session and a body matching `schema`. */
  function authed<S extends z.ZodType>(schema: S, handle: (b: z.output<S>, s: Session) => Response): RouteHandler {
    return async ({ req }) => {
      const body = await readBody(req);
      if (!body) return refuse('Invalid request: JSON object expected');
      const s = typeof body.sid === 'string' ? sessions.get(body.sid) : undefined;
      if (!s || s.expired) return invalidSession();
      if (!s.authenticated) return refuse('session unauthenticated', s.sid);
      const parsed = schema.safeParse(body);
      return parsed.success ? handle(parsed.data, s) : refuse(problem(parsed.error, body), s.sid);
    };
  }
  const within = (at: string, r: z.output<typeof rangeSchema>) => at >= r.start && at <= r.end;

  const routes = new Router()
    // PHP clients send `[]` for "no parameters": any body opens a session.
    .post('/session', () => {
      const sid = randomUUID();
      sessions.set(sid, { sid, createdAt: new Date().toISOString(), authenticated: false, expired: false });
      return ok(sid);
    })
    .post('/session/authenticate', async ({ req }) => {
      const body = await readBody(req);
      if (!body) return refuse('Invalid request: JSON object expected');
      for (const key of ['sid', 'username', 'password']) {
        if (typeof body[key] !== 'string' || body[key] === '') return refuse(`Missing parameter: ${key}`);
      }
      const s = sessions.get(body.sid as string);
      if (!s || s.expired) return invalidSession();
      s.authenticated = body.username === username && body.password === password;
      s.username = body.username as string;
      return ok(s.sid, { authenticated: s.authenticated ? (opts.authenticatedAs ?? true) : false });
    })
    .post(
      CALLBACK_PATH,
      authed(callbackSchema, (b, s) => {
        const device = FONIAL_SEEDED_DEVICES.find((d) => d.id === b.device);
        if (!device) return refuse('Unknown device', s.sid);
        const placedAt = new Date().toISOString();
        callbacks.push({ id: callbacks.length + 1, sid: s.sid, device: device.id, deviceName: device.name, target: b.target, placedAt });
        return ok(s.sid);
      }),
    )
    .post('/devices/get', authed(z.object({}), (_, s) => ok(s.sid, { devices: FONIAL_SEEDED_DEVICES })))
    .post('/numbers/get', authed(z.object({}), (_, s) => ok(s.sid, { numbers: FONIAL_SEEDED_NUMBERS })))
    .post('/evn/get', authed(rangeSchema, (r, s) => ok(s.sid, { evn: evn.filter((e) => within(e.dateStart, r)) })))
    .post('/journal/get', authed(rangeSchema, (r, s) => ok(s.sid, { journal: journal.filter((j) => within(j.date, r)) })));

  return {
    name: 'fonial',
    credentials: { username, password },
    env: (baseUrl) => ({ FONIAL_BASE_URL: baseUrl, FONIAL_USERNAME: username, FONIAL_PASSWORD: password }),
    routes,
    // Sessions never hold the password, so /_inspect can list them as they are.
    inspect: () => ({
      sessions: [...sessions.values()],
      callbacks,
      devices: FONIAL_SEEDED_DEVICES,
      numbers: FONIAL_SEEDED_NUMBERS,
    }),
    reset: () => {
      sessions.clear();
      callbacks.length = 0;
    },
    expireSessions: () => {
      for (const s of sessions.values()) s.expired = true;
    },
  };
}
