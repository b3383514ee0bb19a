// Sipgate emulator: the REST API v2 calls we make (numbers, register devices, routing) with HTTP
// Basic token auth, Sipgate's shapes and status codes. Seeded with a few German numbers and the
// shared trunk device. Device passwords are returned once, on creation, and masked in /_inspect.
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { SIPGATE_LOCAL } from '../../../../shared/providers/sipgate/config';
import { Router, basic, json, type EmulatorDefinition } from '../kit';

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
  type: 'REGISTER' | 'TRUNKING' | 'MOBILE';
  sipId: string;
  password: string;
  createdAt: string;
}

const SEEDED_NUMBERS: Omit<NumberRow, 'endpointId' | 'endpointAlias'>[] = [
  { id: 'n10', number: '+4921155501010', localized: '0211 55501010', type: 'LANDLINE' },
  { id: 'n11', number: '+4930555022222', localized: '030 555022222', type: 'LANDLINE' },
  { id: 'n12', number: '+4989555033333', localized: '089 555033333', type: 'LANDLINE' },
];

const aliasBody = z.object({ alias: z.string().min(1).max(50) });
const routeBody = z.object({ endpointId: z.string().min(1) });

export function createSipgateEmulator(opts: { tokenId?: string; token?: string } = {}): EmulatorDefinition {
  const tokenId = opts.tokenId ?? SIPGATE_LOCAL.tokenId;
  const token = opts.token ?? SIPGATE_LOCAL.token;
  const numbers: NumberRow[] = [];
  const devices: DeviceRow[] = [];
  let next = 1;

  function seed() {
    numbers.length = 0;
    devices.length = 0;
    next = 1;
    devices.push({
      id: SIPGATE_LOCAL.trunkDeviceId,
      userId: SIPGATE_LOCAL.userId,
      alias: 'Fonella trunk',
      type: 'TRUNKING',
      sipId: '1234567t0',
      password: 'trunk-secret',
      createdAt: new Date(0).toISOString(),
    });
    for (const n of SEEDED_NUMBERS) numbers.push({ ...n, endpointId: 'p0', endpointAlias: 'Phoneline' });
  }
  seed();

  const notFound = () => json({ message: 'Not Found', status: 404 }, 404);
  const badRequest = (message: string) => json({ message, status: 400 }, 400);
  const publicDevice = (d: DeviceRow) => ({
    id: d.id,
    alias: d.alias,
    type: d.type,
    online: false,
    dnd: false,
    activePhonelines: [],
    activeGroups: [],
    credentials: { sipId: d.sipId, sipServer: 'sipgate.de', outboundProxy: 'proxy.dev.sipgate.de' },
    registered: [],
  });

  const routes = new Router()
    .get('/numbers', () => json({ items: numbers }))
    .put('/numbers/:id', async ({ req, params }) => {
      const n = numbers.find((x) => x.id === params.id);
      if (!n) return notFound();
      const body = routeBody.safeParse(await req.json().catch(() => undefined));
      if (!body.success) return badRequest('endpointId is required');
      const device = devices.find((d) => d.id === body.data.endpointId);
      if (!device && !/^p\d+$/.test(body.data.endpointId)) return badRequest('Unknown endpoint');
      n.endpointId = body.data.endpointId;
      n.endpointAlias = device?.alias ?? 'Phoneline';
      return new Response(null, { status: 204 });
    })
    .post('/:userId/devices/register', async ({ req, params }) => {
      if (params.userId !== SIPGATE_LOCAL.userId) return notFound();
      const body = aliasBody.safeParse(await req.json().catch(() => undefined));
      if (!body.success) return badRequest('alias is required (1-50 characters)');
      const n = next++;
      const d: DeviceRow = {
        id: `r${n}`,
        userId: params.userId!,
        alias: body.data.alias,
        type: 'REGISTER',
        sipId: `1234567e${n}`,
        password: randomBytes(9).toString('base64url'),
        createdAt: new Date().toISOString(),
      };
      devices.push(d);
      const shown = publicDevice(d);
      return json({ ...shown, credentials: { ...shown.credentials, password: d.password } }, 201);
    })
    .get('/:userId/devices', ({ params }) => {
      if (params.userId !== SIPGATE_LOCAL.userId) return notFound();
      return json({ items: devices.filter((d) => d.userId === params.userId).map(publicDevice) });
    })
    .delete('/devices/:id', ({ params }) => {
      const i = devices.findIndex((d) => d.id === params.id);
      if (i < 0) return notFound();
      const [removed] = devices.splice(i, 1);
      for (const n of numbers) if (n.endpointId === removed!.id) Object.assign(n, { endpointId: 'p0', endpointAlias: 'Phoneline' });
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
    }),
    routes,
    authorize(req) {
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
