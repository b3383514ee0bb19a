// Property-based fuzzing of the routes in the manifest, through the local API and the real handler
// files; test/fuzz/ has one file per caller and part, so the workers share the work. For each
// route: hostile bodies, queries and path parameters never give a 5xx, every refusal is
// problem+json with a stable type, and a refusal writes nothing and calls no provider; valid bodies
// are accepted; each field's bounds hold exactly (at the bound accepted, one step outside refused,
// naming the field).
// Seeded and bounded in `npm test` (FUZZ_RUNS, FUZZ_SEED override); `npm run fuzz` runs 500 cases per
// property with a fresh seed. A failure prints fast-check's seed and shrunk counterexample.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { signJambonzBody } from '../../shared/providers/jambonz/signature';
import type { RouteDef } from '../../shared/http/route-def';
import { boundaryCases, hostileBodies, hostilePathParam, hostileQuery, validBodies, type RawBody } from './arbitraries';
import { declaredRefusal } from './declared';
import { seedActivePartner } from './partners';
import { newUser } from './users';
import { workerStack, type TestStack } from './stack';
import { endsOwnAccount } from './own-account';
import { expectUnchanged, settle as settleState } from './state';

const LONG = process.env.npm_lifecycle_event === 'fuzz';
const RUNS = Number(process.env.FUZZ_RUNS ?? (LONG ? 500 : 40));
const SEED = Number(process.env.FUZZ_SEED ?? (LONG ? Math.floor(Math.random() * 2 ** 31) : 20261125));
if (LONG) process.stderr.write(`fuzz: ${RUNS} runs per property, seed ${SEED}\n`);
const PROBLEM_TYPE = /^urn:fonella:problem:[a-z0-9]+(-[a-z0-9]+)*$/;

/** What a file fuzzes of its routes: the properties of each route, the bounds of each field, or both. */
export type FuzzPart = 'properties' | 'bounds';

let stack: TestStack;
/** The callers, per role: users of this file's own, made when it starts. */
let callers: { customer: string; admin: string; partner: string; ownAccount: string };

const tokenFor = (r: RouteDef) =>
  endsOwnAccount(r) ? callers.ownAccount : r.access === 'admin' ? callers.admin : r.access === 'partner' ? callers.partner : r.access === 'public' ? undefined : callers.customer;

const pathOf = (r: RouteDef, param = 'fuzz') => r.path.replace(/\{\w+\}/g, param);

const settle = () => settleState(stack);

/**
 * A valid body is accepted: the route's success, or a 403, 404 or 409 it declares (the state the caller
 * is in: no such call of theirs, already subscribed after the first valid body, another user's resource
 * in the hotline service; the body passed every check; the caller's account deleted by an earlier valid
 * body), or another refusal the route declares for the
 * state of what the body names (an invite token no invite has: 400 `invite-invalid`), with its declared type.
 */
const acceptedStatus = (r: RouteDef, status: number, body?: unknown) =>
  status === r.response.status ||
  // A route that deletes the caller's account: after the first valid body, the account is being (409) or was deleted (410).
  (endsOwnAccount(r) && (status === 409 || status === 410)) ||
  ((status === 403 || status === 404 || status === 409) && (r.errors ?? []).some((e) => e.status === status)) ||
  declaredRefusal(r, status, body);

interface Outcome {
  status: number;
  contentType: string | null;
  body: unknown;
}

/** Sends one request and checks the properties every response must have. */
async function probe(r: RouteDef, req: { path: string; body?: RawBody }, before: string): Promise<Outcome> {
  const headers: Record<string, string> = {};
  if (req.body) headers['content-type'] = req.body.contentType ?? 'application/json';
  // A webhook proves itself with its secret: the fuzz goes past that check to the body's.
  if (r.access === 'vapi') headers['x-vapi-secret'] = stack.credentials.vapi!.webhookSecret!;
  if (r.access === 'jambonz') headers['jambonz-signature'] = signJambonzBody(req.body?.text ?? '', stack.credentials.jambonz!.webhookSecret!);
  const res = await stack.call(r.method, req.path, { token: tokenFor(r), rawBody: req.body?.text, headers });
  const out = { status: res.status, contentType: res.headers.get('content-type'), body: res.body };
  const label = `${r.name} ${req.path} ${req.body?.label ?? ''} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`;
  expect(res.status, label).toBeLessThan(500);
  if (res.status >= 400) {
    // Only the gateway's own 404 (no such path) has its shape; everything else is problem+json.
    if (res.status === 404 && (res.body as { message?: string })?.message === 'Not Found') return out;
    expect(out.contentType, label).toBe('application/problem+json');
    const problem = res.body as { type?: string; status?: number; title?: string };
    expect(problem.type, label).toMatch(PROBLEM_TYPE);
    expect(problem.status, label).toBe(res.status);
    expect(typeof problem.title, label).toBe('string');
    await expectUnchanged(stack, before, label);
  }
  return out;
}


/** Fuzzes `routes` (one caller's entries of the manifest) in the file that calls it. */
export function fuzzRoutes(routes: RouteDef[], parts: FuzzPart[] = ['properties', 'bounds']): void {
  const withBody = routes.filter((r) => r.request?.body && !r.request.raw);

  beforeAll(async () => {
    stack = await workerStack();
    // Each role's caller as the local stack makes its demo users (a settings row, then the token); the
    // partner's token passes the partner routes' link check once its partner is activated. The caller
    // of routes that delete the caller's own account is another user, so the others' rows stay.
    const settings = { settings: {}, name: 'Fuzz Tester' };
    callers = {
      customer: (await newUser(stack, { prefix: 'fuzz-customer', ...settings })).token,
      admin: (await newUser(stack, { prefix: 'fuzz-admin', permissions: ['admin'], ...settings })).token,
      partner: (await seedActivePartner(stack)).token,
      ownAccount: (await newUser(stack, { prefix: 'fuzz-own-account' })).token,
    };
  });

  if (parts.includes('properties')) describe.each(routes.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    let state = '';
    beforeAll(async () => {
      state = await settle();
    });

    it.skipIf(!r.request?.body || r.request.raw)('hostile bodies: no 5xx; refusals are problem+json and change nothing', async () => {
      await fc.assert(
        fc.asyncProperty(hostileBodies(r), async (body) => {
          const out = await probe(r, { path: pathOf(r), body }, state);
          if (out.status < 400) state = await settle();
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    });

    it('hostile queries and path parameters: no 5xx; refusals are problem+json and change nothing', async () => {
      const valid = validBodies(r);
      await fc.assert(
        fc.asyncProperty(
          hostileQuery,
          r.path.includes('{') ? hostilePathParam : fc.constant('fuzz'),
          valid ?? fc.constant(undefined),
          async (query, param, body) => {
            const out = await probe(r, { path: `${pathOf(r, param)}${query}`, body: body === undefined ? undefined : { text: JSON.stringify(body), label: 'a valid body' } }, state);
            if (out.status < 400) state = await settle();
          },
        ),
        { numRuns: Math.ceil(RUNS / 2), seed: SEED, endOnFailure: true },
      );
    });

    it.skipIf(!validBodies(r))('valid bodies are accepted', async () => {
      await fc.assert(
        fc.asyncProperty(validBodies(r)!, async (body) => {
          const out = await probe(r, { path: pathOf(r), body: { text: JSON.stringify(body), label: 'a valid body' } }, state);
          expect(acceptedStatus(r, out.status, out.body), `${out.status} ${JSON.stringify(out.body)}`).toBe(true);
          state = await settle();
        }),
        { numRuns: Math.ceil(RUNS / 2), seed: SEED, endOnFailure: true },
      );
    });
  });

  const baseOf = (r: RouteDef) => fc.sample(validBodies(r)!, { numRuns: 1, seed: SEED })[0] as Record<string, unknown>;
  // A body with no field of its own (DELETE /v1/me's free-form one) has no bounds to walk.
  const bounded = withBody.filter((r) => boundaryCases(r, baseOf(r)).length > 0);
  if (parts.includes('bounds')) describe.each(bounded.map((r) => [r.name, r] as const))('%s: the bounds of each field', (_name, r) => {
    const base = baseOf(r);
    it.each(boundaryCases(r, base).map((c) => [c.what, c] as const))('%s', async (_what, c) => {
      const state = await settle();
      const body = { ...base, [c.field]: c.value };
      if (c.value === undefined) delete body[c.field];
      const out = await probe(r, { path: pathOf(r), body: { text: JSON.stringify(body), label: c.what } }, state);
      if (c.valid) {
        expect(acceptedStatus(r, out.status, out.body), `${out.status} ${JSON.stringify(out.body)}`).toBe(true);
      } else {
        expect(out.status).toBe(400);
        const paths = ((out.body as { errors?: { path: string }[] }).errors ?? []).map((e) => e.path);
        expect(paths).toContain(`body.${c.field}`);
      }
    });
  });
}

