// Sipgate emulator: the REST API v2 calls we make (numbers, register devices, routing) with HTTP
// Basic token auth, in the shapes of sipgate's published v2 OpenAPI: a register device's SIP user is
// `credentials.username` (account id + device id, e.g. 1234567e5), device ids look like `e5`, create
// answers 200, and the device list carries each register device's credentials, password included
// (as sipgate's own list does; /_inspect masks it). Seeded with the shared trunk's register device
// (e0) and the hotline trunk's (e1), three German numbers ringing a phoneline (p0), three routed to
// the shared trunk (Fonella's pool: +49 211 5559 0001..0003) and the hotline trunk's local numbers:
// Berlin 030, Hamburg 040, Munich 089 and Cologne 0221 (the Federal Network Agency's numbers for
// fiction, which reach no one) and Aachen 0241 (the demo hotline's area), a few each; no other area
// (Hanover 0511, say) has one.
//
// Creating a register device needs the web user's CAN_CREATE_REGISTER_DEVICE restriction (sipgate
// answers 403 without it). It is on unless `restrictions: { CAN_CREATE_REGISTER_DEVICE: false }` is
// passed, and a test or a person can switch it while the emulator runs:
//   GET /_restrictions                                        the current restrictions
//   PUT /_restrictions { "CAN_CREATE_REGISTER_DEVICE": false } switch it (until /_reset)
//
// A test or a person can also add a number to the account (until /_reset), e.g. one more on the trunk,
// or a local number for the hotlines (as buying one at Sipgate and routing it to the hotline trunk):
//   POST /_numbers { "number": "+4921155590099", "type"?: "LANDLINE", "endpointId"?: "e0" }
//   POST /_numbers { "number": "+495115550100", "localized": "0511 5550100", "endpointId": "e1" }
//     answers 201 with the number as GET /numbers lists it; `type` defaults to LANDLINE, `endpointId`
//     to the phoneline p0 (a device id routes it there), `localized` (the national form, its area code
//     the first group, as sipgate writes it) to the number itself; 400 for a bad body or an unknown
//     endpoint, 409 when the account has the number already.
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { SIPGATE_LOCAL } from '../../../../shared/providers/sipgate/config';
import { Router, basic, json, type EmulatorDefinition } from '../kit';

/** The restrictions the emulator checks, by sipgate's names (GET /restrictions in the v2 OpenAPI). */
export interface SipgateRestrictions {
  CAN_CREATE_REGISTER_DEVICE: boolean;
}

interface NumberRow {
  id: string;
  number: string;
  localized: string;
  type: 'LANDLINE' | 'MOBILE' | 'QUICKDIAL';
  endpointId: string;
  endpointAlias: string;
}
interface DeviceRow {
  id: string;
  userId: string;
  alias: string;
  /** The device types sipgate's v2 OpenAPI lists; only REGISTER devices carry SIP credentials. */
  type: 'REGISTER' | 'MOBILE' | 'EXTERNAL';
  username: string;
  password: string;
  createdAt: string;
}

/** The account part of every SIP user on this emulated account (sipgate's look like 2705977). */
const ACCOUNT_ID = '1234567';

const PHONELINE = { endpointId: 'p0', endpointAlias: 'Phoneline' } as const;
const TRUNK = { endpointId: SIPGATE_LOCAL.trunkDeviceId, endpointAlias: 'Fonella trunk' } as const;
const HOTLINE_TRUNK = { endpointId: SIPGATE_LOCAL.hotlineTrunkDeviceId, endpointAlias: 'Fonella hotline trunk' } as const;

/** The hotline trunk's seeded numbers, by area code: [area code, subscriber numbers]. */
const HOTLINE_AREAS: [string, string[]][] = [
  ['030', ['23125001', '23125002', '23125003']],
  ['040', ['66969001', '66969002']],
  ['089', ['99998001', '99998002']],
  ['0221', ['4710001', '4710002']],
  ['0241', ['55590101', '55590102']],
];

const SEEDED_NUMBERS: NumberRow[] = [
  { id: 'n10', number: '+4921155501010', localized: '0211 55501010', type: 'LANDLINE', ...PHONELINE },
  { id: 'n11', number: '+4930555022222', localized: '030 555022222', type: 'LANDLINE', ...PHONELINE },
  { id: 'n12', number: '+4989555033333', localized: '089 555033333', type: 'LANDLINE', ...PHONELINE },
  // Fonella's pool: routed to the shared trunk.
  { id: 'n13', number: '+4921155590001', localized: '0211 55590001', type: 'LANDLINE', ...TRUNK },
  { id: 'n14', number: '+4921155590002', localized: '0211 55590002', type: 'LANDLINE', ...TRUNK },
  { id: 'n15', number: '+4921155590003', localized: '0211 55590003', type: 'LANDLINE', ...TRUNK },
  // The hotlines' local numbers: routed to the hotline trunk (n16...).
  ...HOTLINE_AREAS.flatMap(([area, subscribers]) => subscribers.map((sub) => ({ number: `+49${area.slice(1)}${sub}`, localized: `${area} ${sub}` }))).map(
    (n, i): NumberRow => ({ id: `n${16 + i}`, ...n, type: 'LANDLINE', ...HOTLINE_TRUNK }),
  ),
];
/** The id the first number added through /_numbers gets (the one after the seeded ones). */
const FIRST_ADDED_NUMBER_ID = 16 + HOTLINE_AREAS.reduce((n, [, subscribers]) => n + subscribers.length, 0);
/** The register devices seeded: the id the first device created gets is the one after them (e2, ...). */
const FIRST_CREATED_DEVICE_ID = 2;

const aliasBody = z.object({ alias: z.string().min(1).max(50) });
const routeBody = z.object({ endpointId: z.string().min(1) });
const restrictionsBody = z.strictObject({ CAN_CREATE_REGISTER_DEVICE: z.boolean().optional() });
const numberBody = z.strictObject({
  number: z.string().regex(/^\+[1-9][0-9]{6,14}$/),
  // sipgate's national form: the area code (with its leading 0) and the rest, in groups of digits.
  localized: z.string().regex(/^0[1-9][0-9]* [0-9]+( [0-9]+)*$/).optional(),
  type: z.enum(['LANDLINE', 'MOBILE', 'QUICKDIAL']).default('LANDLINE'),
  endpointId: z.string().min(1).default(PHONELINE.endpointId),
});

export function createSipgateEmulator(
  opts: { tokenId?: string; token?: string; restrictions?: Partial<SipgateRestrictions> } = {},
): EmulatorDefinition {
  const tokenId = opts.tokenId ?? SIPGATE_LOCAL.tokenId;
  const token = opts.token ?? SIPGATE_LOCAL.token;
  const initialRestrictions: SipgateRestrictions = { CAN_CREATE_REGISTER_DEVICE: true, ...opts.restrictions };
  let restrictions: SipgateRestrictions = { ...initialRestrictions };
  const numbers: NumberRow[] = [];
  const devices: DeviceRow[] = [];
  let next = FIRST_CREATED_DEVICE_ID;
  let nextNumber = FIRST_ADDED_NUMBER_ID;

  function seed() {
    numbers.length = 0;
    devices.length = 0;
    next = FIRST_CREATED_DEVICE_ID;
    nextNumber = FIRST_ADDED_NUMBER_ID;
    restrictions = { ...initialRestrictions };
    devices.push({
      id: SIPGATE_LOCAL.trunkDeviceId,
      userId: SIPGATE_LOCAL.userId,
      alias: 'Fonella trunk',
      type: 'REGISTER',
      username: `${ACCOUNT_ID}${SIPGATE_LOCAL.trunkDeviceId}`,
      password: 'trunk-secret',
      createdAt: new Date(0).toISOString(),
    });
    devices.push({
      id: SIPGATE_LOCAL.hotlineTrunkDeviceId,
      userId: SIPGATE_LOCAL.userId,
      alias: 'Fonella hotline trunk',
      type: 'REGISTER',
      username: `${ACCOUNT_ID}${SIPGATE_LOCAL.hotlineTrunkDeviceId}`,
      password: 'hotline-trunk-secret',
      createdAt: new Date(0).toISOString(),
    });
    for (const n of SEEDED_NUMBERS) numbers.push({ ...n });
  }
  seed();

  const notFound = () => json({ message: 'Not Found', status: 404 }, 404);
  const forbidden = () => json({ message: 'Forbidden', status: 403 }, 403);
  const badRequest = (message: string) => json({ message, status: 400 }, 400);
  /** A device id, or a phoneline (p<n>): what a number can ring. */
  const endpoint = (endpointId: string): { endpointId: string; endpointAlias: string } | undefined => {
    const device = devices.find((d) => d.id === endpointId);
    if (device) return { endpointId, endpointAlias: device.alias };
    return /^p\d+$/.test(endpointId) ? { endpointId, endpointAlias: PHONELINE.endpointAlias } : undefined;
  };
  // RegisterDeviceResponse (create) and the list's items: sipgate returns the credentials, password
  // included, in both.
  const deviceBody = (d: DeviceRow) => ({
    id: d.id,
    alias: d.alias,
    type: d.type,
    online: false,
    dnd: false,
    activePhonelines: [],
    activeGroups: [],
    ...(d.type === 'REGISTER'
      ? {
          credentials: {
            username: d.username,
            password: d.password,
            sipServer: 'sipgate.de',
            outboundProxy: 'sipgate.de',
            sipServerWebsocketUrl: 'wss://sip.sipgate.de',
          },
          registered: [],
        }
      : {}),
  });

  const routes = new Router()
    .get('/_restrictions', () => json(restrictions))
    .put('/_restrictions', async ({ req }) => {
      const body = restrictionsBody.safeParse(await req.json().catch(() => undefined));
      if (!body.success) return badRequest('body must be { "CAN_CREATE_REGISTER_DEVICE": boolean }');
      restrictions = { ...restrictions, ...body.data };
      return json(restrictions);
    })
    .post('/_numbers', async ({ req }) => {
      const body = numberBody.safeParse(await req.json().catch(() => undefined));
      if (!body.success) return badRequest('body must be { "number": E.164, "localized"?: "0511 5550100", "type"?: "LANDLINE" | "MOBILE" | "QUICKDIAL", "endpointId"?: string }');
      const target = endpoint(body.data.endpointId);
      if (!target) return badRequest('Unknown endpoint');
      if (numbers.some((n) => n.number === body.data.number)) return json({ message: 'Number exists', status: 409 }, 409);
      const n: NumberRow = { id: `n${nextNumber++}`, number: body.data.number, localized: body.data.localized ?? body.data.number, type: body.data.type, ...target };
      numbers.push(n);
      return json(n, 201);
    })
    .get('/numbers', () => json({ items: numbers }))
    .put('/numbers/:id', async ({ req, params }) => {
      const n = numbers.find((x) => x.id === params.id);
      if (!n) return notFound();
      const body = routeBody.safeParse(await req.json().catch(() => undefined));
      if (!body.success) return badRequest('endpointId is required');
      const target = endpoint(body.data.endpointId);
      if (!target) return badRequest('Unknown endpoint');
      Object.assign(n, target);
      return new Response(null, { status: 204 });
    })
    .post('/:userId/devices/register', async ({ req, params }) => {
      if (params.userId !== SIPGATE_LOCAL.userId) return notFound();
      if (!restrictions.CAN_CREATE_REGISTER_DEVICE) return forbidden();
      const body = aliasBody.safeParse(await req.json().catch(() => undefined));
      if (!body.success) return badRequest('alias is required (1-50 characters)');
      const id = `e${next++}`;
      const d: DeviceRow = {
        id,
        userId: params.userId!,
        alias: body.data.alias,
        type: 'REGISTER',
        username: `${ACCOUNT_ID}${id}`,
        password: randomBytes(9).toString('base64url'),
        createdAt: new Date().toISOString(),
      };
      devices.push(d);
      return json(deviceBody(d), 200);
    })
    .get('/:userId/devices', ({ params }) => {
      if (params.userId !== SIPGATE_LOCAL.userId) return notFound();
      return json({ items: devices.filter((d) => d.userId === params.userId).map(deviceBody) });
    })
    .delete('/devices/:id', ({ params }) => {
      const i = devices.findIndex((d) => d.id === params.id);
      if (i < 0) return notFound();
      const [removed] = devices.splice(i, 1);
      for (const n of numbers) if (n.endpointId === removed!.id) Object.assign(n, PHONELINE);
      return new Response(null, { status: 204 });
    });

  return {
    name: 'sipgate',
    credentials: { tokenId, token },
    env: (baseUrl) => ({
      SIPGATE_BASE_URL: baseUrl,
      SIPGATE_TOKEN_ID: tokenId,
      SIPGATE_TOKEN: token,
      SIPGATE_USER_ID: SIPGATE_LOCAL.userId,
      SIPGATE_TRUNK_DEVICE_ID: SIPGATE_LOCAL.trunkDeviceId,
      SIPGATE_HOTLINE_TRUNK_DEVICE_ID: SIPGATE_LOCAL.hotlineTrunkDeviceId,
    }),
    routes,
    authorize(req, url) {
      // The emulator's own switches (underscore paths) are the harness, not sipgate's API.
      if (url.pathname.startsWith('/_')) return undefined;
      const cred = basic(req);
      if (!cred || cred.user !== tokenId || cred.password !== token) {
        return json({ message: 'Unauthorized', status: 401 }, 401, { 'www-authenticate': 'Basic realm="sipgate"' });
      }
      return undefined;
    },
    inspect: () => ({ numbers, devices: devices.map((d) => ({ ...d, password: '********' })) }),
    reset: seed,
  };
}
