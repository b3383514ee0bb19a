// Route-generic checks: they walk the manifest, so every route added later is covered without new
// test code. Everything goes through the local API server and the real handler files.
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../lib/routes';
import { freeForm } from '../support/free-form';
import { signJambonzBody } from '../../shared/providers/jambonz/signature';
import { isAuthenticated, type RouteDef } from '../../shared/http/route-def';
import { workerStack, type TestStack } from '../support/stack';
import { settle } from '../support/state';

const all = Object.entries(routes as Record<string, RouteDef>).map(([name, def]) => ({ name, def }));
const guarded = all.filter((r) => isAuthenticated(r.def));
const adminOnly = all.filter((r) => r.def.access === 'admin');
const withBody = all.filter((r) => r.def.request?.body && !r.def.request.raw);
const bodyless = all.filter((r) => !r.def.request?.body && r.def.method !== 'GET');
const webhooks = all.filter((r) => r.def.access === 'vapi' || r.def.access === 'stripe' || r.def.access === 'jambonz');

const concretePath = (path: string) => path.replace(/\{(\w+)\}/g, 'x-$1');

let stack: TestStack;
let before: { items: unknown[]; emulators: unknown };

async function snapshot() {
  const items = (await stack.scan()).sort((a, b) => `${a.pk}${a.sk}`.localeCompare(`${b.pk}${b.sk}`));
  const emulators = (await (await fetch(`${stack.hubUrl}/_inspect`)).json()) as Record<string, unknown>;
  // The request timeline records every request: a trace of what was asked, not state.
  delete emulators.timeline;
  return { items, emulators };
}

/** A token that passes the authorizer and the route's own access rule. */
const tokenFor = (def: RouteDef) => (def.access === 'admin' ? stack.tokens.admin : stack.tokens.customer);
/** What gets a request past a route's credential check to its body's: a webhook's secret or signature of `body` (a token elsewhere). */
const proof = (def: RouteDef, body = ''): Record<string, string> =>
  def.access === 'vapi'
    ? { 'x-vapi-secret': stack.credentials.vapi!.webhookSecret! }
    : def.access === 'jambonz'
      ? { 'jambonz-signature': signJambonzBody(body, stack.credentials.jambonz!.webhookSecret!) }
      : {};

beforeAll(async () => {
  stack = await workerStack();
  // What the start wrote has reached the stream workers (the customer index, its counters) first, and
  // what the files before this one on the worker's stack set going (the Stripe emulator's deliveries,
  // which the stream workers' idle does not wait for) has come to rest: nothing of theirs lands between
  // the two snapshots.
  await settle(stack);
  before = await snapshot();
});

// Behind API Gateway's JWT authorizer, or (routes that take API keys) the function's own check of the same.
describe('every authenticated route', () => {
  it('has routes to check', () => expect(guarded.length).toBeGreaterThan(0));

  it.each(guarded)('$name: no token → 401', async ({ def }) => {
    const res = await stack.call(def.method, concretePath(def.path));
    expect(res.status).toBe(401);
  });

  it.each(guarded)('$name: expired or tampered token → 401', async ({ def }) => {
    const expired = await stack.mintToken({ sub: 'auth0|expired', expiresInSeconds: -60 });
    const res1 = await stack.call(def.method, concretePath(def.path), { token: expired });
    expect(res1.status).toBe(401);
    const tampered = `${stack.tokens.admin.slice(0, -4)}AAAA`;
    const res2 = await stack.call(def.method, concretePath(def.path), { token: tampered });
    expect(res2.status).toBe(401);
  });
});

describe.skipIf(adminOnly.length === 0)('every admin route', () => {
  it.each(adminOnly)('$name: a user token → 403 problem+json', async ({ def }) => {
    const res = await stack.call(def.method, concretePath(def.path), { token: stack.tokens.customer });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.type).toBe('urn:fonella:problem:admin-required');
  });
});

describe.skipIf(webhooks.length === 0)('every webhook', () => {
  it.each(webhooks)('$name: without its secret or signature → refused (Vapi and jambonz 401, Stripe 400)', async ({ def }) => {
    const res = await stack.call(def.method, concretePath(def.path), { body: {} });
    expect(res.status).toBe(def.access === 'stripe' ? 400 : 401);
  });
});

describe('every route that takes a body', () => {
  it('has routes to check', () => expect(withBody.length).toBeGreaterThan(0));

  it.each(withBody)('$name: malformed JSON → 400 problem+json', async ({ def }) => {
    const res = await stack.call(def.method, concretePath(def.path), {
      token: tokenFor(def),
      rawBody: '{"name": ',
      headers: { 'content-type': 'application/json', ...proof(def, '{"name": ') },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: 'urn:fonella:problem:malformed-json', status: 400 });
  });

  it.each(withBody)('$name: unknown and missing fields → 400 naming each', async ({ def }) => {
    // A free-form body (additionalProperties in the OpenAPI) takes unknown fields and may need none
    // (DELETE /v1/me takes `{}`): its unknown field nests past the depth bound, so that the request is
    // still refused, and the 400 must not be for the unknown field itself.
    const loose = freeForm(def.request!.body!);
    const body = { surpriseField: loose ? { a: { b: { c: { d: { e: 1 } } } } } : 1 };
    const res = await stack.call(def.method, concretePath(def.path), {
      token: tokenFor(def),
      body,
      headers: proof(def, JSON.stringify(body)),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.type).toBe('urn:fonella:problem:validation');
    if (loose) {
      expect(res.body.errors.length).toBeGreaterThan(0);
      expect(res.body.errors).not.toContainEqual({ path: 'body.surpriseField', message: 'Unknown field.' });
    } else {
      expect(res.body.errors).toContainEqual({ path: 'body.surpriseField', message: 'Unknown field.' });
    }
  });

  it.each(withBody)('$name: a body over the bound → 413', async ({ def }) => {
    const res = await stack.call(def.method, concretePath(def.path), {
      token: tokenFor(def),
      body: { padding: 'x'.repeat(def.request?.maxBodyBytes ?? 65536) },
      headers: proof(def, JSON.stringify({ padding: 'x'.repeat(def.request?.maxBodyBytes ?? 65536) })),
    });
    expect(res.status).toBe(413);
    expect(res.body.type).toBe('urn:fonella:problem:payload-too-large');
  });

  it.each(withBody)('$name: a non-JSON content type → 415', async ({ def }) => {
    const res = await stack.call(def.method, concretePath(def.path), {
      token: tokenFor(def),
      rawBody: 'name=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...proof(def, 'name=a') },
    });
    expect(res.status).toBe(415);
  });
});

describe.skipIf(bodyless.length === 0)('every non-GET route without a body schema', () => {
  it.each(bodyless)('$name: a body → 400', async ({ def }) => {
    const res = await stack.call(def.method, concretePath(def.path), { token: tokenFor(def), body: { a: 1 } });
    expect(res.status).toBe(400);
  });
});

describe('after all the refused requests above', () => {
  it('nothing was written: the table and every emulator are as before', async () => {
    const after = await snapshot();
    expect(after.items).toEqual(before.items);
    expect(after.emulators).toEqual(before.emulators);
  });
});
