// Account deletion through the local API and the stream worker: a fully provisioned customer deleted
// with nothing of theirs left in the emulators or the table (the whole table read raw) and one email;
// a fault at every step (generated from the step list) that holds the teardown without an email until
// it clears and a re-drive finishes it; the deleted user's token refused on every route with nothing
// created; a team deleted by an admin; an admin deleting themself; an unknown user.
import { randomInt, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../lib/routes';
import { observeDynamoClients } from '../../shared/db/client';
import { teardownsRepository, type TeardownRow } from '../../shared/db/teardowns';
import { usersRepository } from '../../shared/db/users';
import { TEARDOWN_STEPS } from '../../shared/domain/teardown';
import { needsAuthorizer, type RouteDef } from '../../shared/http/route-def';
import { SIPGATE_LOCAL } from '../../shared/providers/sipgate/config';
import { validBodies } from '../support/arbitraries';
import { seedActivePartner } from '../support/partners';
import { startTestStack, waitFor, type TestStack } from '../support/stack';
import { settle } from '../support/state';

// The table step's fault: DynamoDB Local has no fault switch, so the handlers' own clients get one.
// Only the teardown deletes in batches, so failing BatchWriteItem fails that step alone.
let tableFault = false;
observeDynamoClients((client) =>
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (tableFault && context.commandName === 'BatchWriteItemCommand') throw Object.assign(new Error('injected table fault'), { name: 'InternalServerError' });
      return next(args);
    },
    { step: 'initialize', name: 'teardownTableFault' },
  ),
);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  observeDynamoClients(undefined);
  await stack?.stop();
});
afterEach(async () => {
  tableFault = false;
  for (const name of ['vapi', 'sipgate', 'stripe', 'auth0', 'mailgun']) await fetch(`${stack.emulators[name]}/_faults`, { method: 'DELETE' });
});

type Row = Record<string, unknown> & { id: string };
const teardowns = () => teardownsRepository(stack.table);
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
    expect(r.status, `${url}: ${await r.clone().text()}`).toBeLessThan(300);
    return (await r.json()) as Record<string, unknown>;
  });

/** A user who signed up: known to Auth0, with a token. */
async function signUp(prefix: string, permissions: string[] = []) {
  const sub = `auth0|${prefix}-${randomUUID()}`;
  const email = `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
  await post(`${stack.emulators.auth0}/_users`, { user_id: sub, email, name: 'Teardown Tester' });
  const token = await stack.mintToken({ sub, email, name: 'Teardown Tester', permissions });
  return { sub, email, token, call: (method: string, path: string, body?: unknown) => stack.call(method, path, { token, body }) };
}

const rowOf = async (sub: string, sk: string) => (await stack.scan()).find((r) => r.pk === `USER#${sub}` && r.sk === sk);

/** A customer with everything: subscription (paid, then a failed renewal), assistant and pool number, Sipgate line, external trunk, calls, a call report, devices. */
async function provisioned(prefix = 'full') {
  const u = await signUp(prefix);
  expect((await u.call('GET', '/v1/me')).status).toBe(200);
  const created = await u.call('POST', '/v1/me/subscription', { planId: 'business' });
  expect(created.status).toBe(201);
  const subscriptionId = created.body.subscriptionId as string;
  await post(`${stack.emulators.stripe}/_simulate/payment-succeeded`, { subscriptionId });
  await waitFor('the subscription active', async () => (await rowOf(u.sub, 'SUBSCRIPTION'))?.status === 'active', 10_000);

  const assistant = await u.call('PUT', '/v1/me/assistant', { greeting: 'Guten Tag!', language: 'de' });
  expect(assistant.status).toBe(200);
  const assistantId = assistant.body.assistantId as string;
  const poolLine = await waitFor('the pool number bound', async () => {
    const line = await rowOf(u.sub, 'INTEGRATION#POOL');
    return line?.vapiPhoneNumberId ? line : undefined;
  });

  const sipgateNumber = `+4921177${String(randomInt(1e7)).padStart(7, '0')}`;
  await post(`${stack.emulators.sipgate}/_numbers`, { number: sipgateNumber });
  expect((await u.call('POST', '/v1/me/integrations', { mode: 'sipgate', phoneNumber: sipgateNumber })).status).toBe(201);
  const externalNumber = `+4930${String(randomInt(1e8)).padStart(8, '0')}`;
  const external = { mode: 'external', gateway: 'sip.pbx.example', authUsername: 'pbx-7', authPassword: `pw-${randomUUID()}`, phoneNumber: externalNumber };
  expect((await u.call('POST', '/v1/me/integrations', external)).status).toBe(201);

  const callerNumber = `+49170${String(randomInt(1e7)).padStart(7, '0')}`;
  const { callId } = (await post(`${stack.emulators.vapi}/_simulate/end-of-call`, { assistantId, customerNumber: callerNumber })) as { callId: string };
  const call = await waitFor('the call stored', async () => (await stack.scan()).find((r) => r.pk === `USER#${u.sub}` && r.callId === callId));
  expect((await u.call('POST', '/v1/me/call-reports', { callId, startedAt: call.startedAt, description: 'It said something odd.' })).status).toBe(202);
  for (const deviceId of ['laptop', 'phone']) {
    expect((await u.call('POST', '/v1/me/devices', { deviceId, platform: 'web', userAgent: 'Mozilla/5.0 Firefox/133.0' })).status).toBe(200);
  }
  // Beyond the portal: a hotline organisation of their own, a partner account they activated, and the
  // referral by another partner: rows in their partition and rows elsewhere that name them.
  expect((await u.call('POST', '/v1/organizations', { name: `Feuerwehr ${prefix}` })).status).toBe(201);
  const ownPartner = await seedActivePartner(stack, { sub: u.sub });
  const referrer = await seedActivePartner(stack);
  expect((await u.call('POST', '/v1/me/referral', { refId: referrer.publicCode })).status).toBe(200);
  await post(`${stack.emulators.stripe}/_simulate/payment-failed`, { subscriptionId });
  await waitFor('the failed payment stored', async () => (await stack.scan()).some((r) => r.pk === `USER#${u.sub}` && String(r.sk).startsWith('PAYMENT_FAILED#')), 10_000);
  await settle(stack);

  const rows = (await stack.scan()).filter((r) => r.pk === `USER#${u.sub}`);
  const kinds = new Set(rows.map((r) => String(r.sk).split('#')[0]));
  for (const k of ['SETTINGS', 'SUBSCRIPTION', 'ASSISTANT', 'INTEGRATION', 'CALL', 'CALLREPORT', 'DEVICE', 'PAYMENT_FAILED', 'HOTLINE', 'PARTNER_LINK', 'REFERRAL']) {
    expect(kinds, k).toContain(k);
  }
  expect((await stack.scan()).some((r) => r.pk === `PARTNER#${ownPartner.partnerId}` && r.auth0UserId === u.sub)).toBe(true);
  const lines = rows.filter((r) => String(r.sk).startsWith('INTEGRATION#'));
  return {
    ...u,
    subscriptionId,
    assistantId,
    poolNumber: String(poolLine.number),
    numbers: [sipgateNumber, externalNumber, callerNumber],
    callId,
    vapiIds: [assistantId, ...lines.flatMap((l) => [l.vapiPhoneNumberId, l.vapiCredentialId]).filter((x): x is string => typeof x === 'string')],
    sipgateDeviceIds: lines.map((l) => l.sipgateDeviceId).filter((x): x is string => typeof x === 'string'),
  };
}
type Provisioned = Awaited<ReturnType<typeof provisioned>>;

async function finished(sub: string, timeoutMs = 20_000): Promise<TeardownRow> {
  try {
    return await waitFor(`the teardown of ${sub} done`, async () => {
      const r = await teardowns().get(sub);
      return r?.status === 'done' ? r : undefined;
    }, timeoutMs);
  } catch (err) {
    const record = await teardowns().get(sub);
    const parked = stack.streams.parked().filter((p) => p.keys.pk === `USER#${sub}`);
    throw new Error(`${(err as Error).message}; record ${JSON.stringify(record)}; parked ${JSON.stringify(parked)}`);
  }
}

const mailsTo = async (to: string) => (await stack.mails()).filter((m) => JSON.stringify(m.to).includes(to));
const confirmations = async (to: string) => (await mailsTo(to)).filter((m) => /gelöscht|deleted/.test(m.subject));

/** Nothing of the user anywhere: the whole table raw, and the emulators' resources. */
async function expectNothingLeft(u: Provisioned) {
  // Sipgate's device ids (`e1`) are too short to look for in text: the device list is checked below.
  const marks = [u.sub, u.email, ...u.numbers, u.callId, ...u.vapiIds];
  const leftovers = (await stack.scan())
    .filter((item) => !(item.pk === `USER#${u.sub}` && item.sk === 'TEARDOWN'))
    .filter((item) => marks.some((m) => JSON.stringify(item).includes(m)));
  expect(leftovers).toEqual([]);
  // The tombstone: the account's id (its key), the steps' times, who asked. No address, number or provider id.
  const tombstone = (await teardowns().get(u.sub))!;
  const text = JSON.stringify(tombstone);
  for (const m of marks.filter((x) => x !== u.sub)) expect(text).not.toContain(m);
  expect(tombstone.ttl).toBeGreaterThan(Date.now() / 1000 + 30 * 86400);
  // The pool number is Fonella's: back in the pool, free, naming no one.
  const pool = (await stack.scan()).find((r) => r.pk === `POOL#${u.poolNumber}`)!;
  expect(pool).toMatchObject({ status: 'free' });
  expect(pool.userId).toBeUndefined();

  const vapi = await stack.inspect<{ assistants: Row[]; phoneNumbers: Row[]; credentials: Row[]; calls: Row[] }>('vapi');
  const vapiLeft = [...vapi.assistants, ...vapi.phoneNumbers, ...vapi.credentials, ...vapi.calls].filter((r) => u.vapiIds.includes(r.id) || marks.some((m) => JSON.stringify(r).includes(m)));
  expect(vapiLeft).toEqual([]);
  // The shared trunk's credential is never deleted; the pool number's Vapi number went.
  expect(vapi.credentials.some((c) => JSON.stringify(c).includes(u.poolNumber))).toBe(false);
  const sipgate = await stack.inspect<{ devices: Row[]; numbers: { number: string; endpointId: string }[] }>('sipgate');
  expect(sipgate.devices.filter((d) => u.sipgateDeviceIds.includes(d.id))).toEqual([]);
  expect(sipgate.devices.some((d) => d.id === SIPGATE_LOCAL.trunkDeviceId)).toBe(true);
  // The Sipgate number rings the phoneline again, the pool number the trunk.
  expect(sipgate.numbers.find((n) => n.number === u.numbers[0])!.endpointId).toMatch(/^p\d+$/);
  expect(sipgate.numbers.find((n) => n.number === u.poolNumber)!.endpointId).toBe(SIPGATE_LOCAL.trunkDeviceId);
  const auth0 = await stack.inspect<{ users: { user_id: string }[] }>('auth0');
  expect(auth0.users.map((x) => x.user_id)).not.toContain(u.sub);
  // Stripe keeps the customer and its invoices (billing records); the subscription is canceled.
  const stripe = await stack.inspect<{ subscriptions: { id: string; status: string }[] }>('stripe');
  expect(stripe.subscriptions.find((s) => s.id === u.subscriptionId)!.status).toBe('canceled');
}

describe('DELETE /v1/me', () => {
  it('removes everything of a fully provisioned customer, then sends one confirmation', async () => {
    const u = await provisioned();
    const res = await u.call('DELETE', '/v1/me');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ userId: u.sub, status: 'running' });
    expect(res.body.steps.map((s: { name: string }) => s.name)).toEqual(TEARDOWN_STEPS.filter((s) => !s.applies).map((s) => s.name));
    expect(res.body.resources).toEqual(expect.arrayContaining([{ provider: 'stripe', kind: 'subscription', id: u.subscriptionId }, { provider: 'vapi', kind: 'assistant', id: u.assistantId }]));

    const done = await finished(u.sub);
    expect(Object.keys(done.done)).toEqual(expect.arrayContaining(done.steps));
    await settle(stack);
    await expectNothingLeft(u);
    const mails = await confirmations(u.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Ihr Fonella-Konto wurde gelöscht');
  }, 120_000);

  it('answers 409 account-being-deleted while the teardown runs, then 410 account-deleted', async () => {
    const u = await signUp('busy');
    expect((await u.call('GET', '/v1/me')).status).toBe(200);
    // Hold the teardown at its login step: Auth0 fails until the fault is cleared.
    await stack.fault('auth0', { mode: 'error', count: 1000, match: '/api/v2/users/' });
    expect((await u.call('DELETE', '/v1/me')).status).toBe(202);
    const busy = await u.call('GET', '/v1/me');
    expect(busy.status).toBe(409);
    expect(busy.body.type).toBe('urn:fonella:problem:account-being-deleted');
    expect((await u.call('DELETE', '/v1/me')).body.type).toBe('urn:fonella:problem:account-being-deleted');
    await fetch(`${stack.emulators.auth0}/_faults`, { method: 'DELETE' });
    await waitFor('the record parked or done', async () => (await teardowns().get(u.sub))?.status === 'done' || stack.streams.parked().length > 0, 30_000);
    stack.streams.redrive();
    await finished(u.sub);
    const gone = await u.call('GET', '/v1/me');
    expect(gone.status).toBe(410);
    expect(gone.body.type).toBe('urn:fonella:problem:account-deleted');
  }, 120_000);
});

/** How to make each step fail until cleared: its provider's fault switch, or the table's. */
const FAULTS: Record<string, () => Promise<void>> = {
  'cancel-subscription': () => stack.fault('stripe', { mode: 'error', count: 1000, match: '/v1/subscriptions/' }),
  'remove-phone-lines': () => stack.fault('sipgate', { mode: 'error', count: 1000, match: '/devices/' }),
  'delete-assistant': () => stack.fault('vapi', { mode: 'error', count: 1000, match: '/assistant/' }),
  'delete-call-logs': () => stack.fault('vapi', { mode: 'error', count: 1000, match: '/call/' }),
  'delete-rows': async () => {
    tableFault = true;
  },
  'delete-login': () => stack.fault('auth0', { mode: 'error', count: 1000, match: '/api/v2/users/' }),
  'send-confirmation': () => stack.fault('mailgun', { mode: 'error', count: 1000, match: '/messages' }),
};

describe('a fault at each step', () => {
  const lone = TEARDOWN_STEPS.filter((s) => !s.applies);
  // The team's step (an owner's only) has its own test below, with a member's fault.
  it('every step of a lone account has a fault here, and the others are the team step', () => {
    expect(Object.keys(FAULTS).sort()).toEqual(lone.map((s) => s.name).sort());
    expect(TEARDOWN_STEPS.filter((s) => s.applies).map((s) => s.name)).toEqual(['await-team']);
  });

  it.each(lone.map((s) => [s.name] as const))('%s fails: the record stays, nothing is emailed; once it clears, a re-drive finishes with nothing left and one email', async (step) => {
    const u = await provisioned(`fault-${step}`);
    await FAULTS[step]!();
    expect((await u.call('DELETE', '/v1/me')).status).toBe(202);
    const parked = await waitFor('the record parked', async () => stack.streams.parked().find((p) => p.keys.pk === `USER#${u.sub}`), 60_000);
    const held = (await teardowns().get(u.sub))!;
    expect(held.status).toBe('running');
    const index = held.steps.indexOf(step);
    expect(held.steps.slice(0, index).every((s) => held.done[s])).toBe(true);
    expect(held.done[step]).toBeUndefined();
    expect(await confirmations(u.email)).toEqual([]);

    tableFault = false;
    for (const name of ['vapi', 'sipgate', 'stripe', 'auth0', 'mailgun']) await fetch(`${stack.emulators[name]}/_faults`, { method: 'DELETE' });
    expect(stack.streams.redrive(parked.id)).toBe(1);
    await finished(u.sub);
    await settle(stack);
    await expectNothingLeft(u);
    expect(await confirmations(u.email)).toHaveLength(1);
  }, 180_000);
});

describe("the deleted account's token", () => {
  const guarded = Object.values(routes as Record<string, RouteDef>).filter(needsAuthorizer);

  it('every route refuses it (410 account-deleted, or 403 where a permission is missing first) and nothing is created', async () => {
    const u = await signUp('ghost');
    expect((await u.call('DELETE', '/v1/me')).status).toBe(202);
    await finished(u.sub);
    const before = await settle(stack);
    const admin = await stack.mintToken({ sub: u.sub, email: u.email, permissions: ['admin', 'partner'] });
    for (const r of guarded) {
      const valid = validBodies(r);
      const body = valid ? fc.sample(valid, { numRuns: 1, seed: 3 })[0] : undefined;
      const path = r.path.replace(/\{\w+\}/g, 'x');
      for (const token of [u.token, admin]) {
        const res = await stack.call(r.method, path, { token, body });
        const label = `${r.name} → ${res.status} ${JSON.stringify(res.body)}`;
        if (res.status === 403) expect(token, label).toBe(u.token);
        else expect(res.body?.type, label).toBe('urn:fonella:problem:account-deleted');
      }
    }
    expect(await settle(stack)).toBe(before);
    expect((await stack.scan()).filter((i) => i.pk === `USER#${u.sub}`).map((i) => i.sk)).toEqual(['TEARDOWN']);
  }, 120_000);
});

describe('DELETE /v1/admin/users/{userId}', () => {
  it("deletes an owner and their two team members, each with their own record, the owner's last", async () => {
    const admin = await signUp('admin', ['admin']);
    const owner = await signUp('owner');
    expect((await owner.call('GET', '/v1/me')).status).toBe(200);
    const members = [await signUp('member'), await signUp('member')];
    const now = new Date().toISOString();
    for (const m of members) {
      await usersRepository(stack.table).createSettingsIfMissing({
        userId: m.sub, email: m.email, name: 'Member', timezone: 'Europe/Berlin', locale: 'en', role: 'member', ownerId: owner.sub, createdAt: now, updatedAt: now,
      });
      const device = await m.call('POST', '/v1/me/devices', { deviceId: 'desk', platform: 'web', userAgent: 'Mozilla/5.0 Firefox/133.0' });
    expect(device.status, JSON.stringify(device.body)).toBe(200);
    }

    const res = await admin.call('DELETE', `/v1/admin/users/${encodeURIComponent(owner.sub)}`);
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/v1/admin/users/${encodeURIComponent(owner.sub)}/teardown`);
    expect(res.body.members.map((m: { userId: string }) => m.userId).sort()).toEqual(members.map((m) => m.sub).sort());
    expect(res.body.steps.map((s: { name: string }) => s.name)).toContain('await-team');

    const ownerDone = await finished(owner.sub);
    const memberDone: TeardownRow[] = [];
    for (const m of members) memberDone.push((await teardowns().get(m.sub))!);
    for (const d of memberDone) {
      expect(d.status).toBe('done');
      expect(d.requestedBy).toEqual({ kind: 'owner' });
      expect(d.completedAt! <= ownerDone.completedAt!).toBe(true);
    }
    expect(ownerDone.requestedBy).toEqual({ kind: 'admin', adminId: admin.sub });
    expect(ownerDone.done['await-team']! >= memberDone.map((d) => d.completedAt!).sort().at(-1)!).toBe(true);
    await settle(stack);
    const everyone = [owner, ...members];
    const auth0 = await stack.inspect<{ users: { user_id: string }[] }>('auth0');
    for (const p of everyone) {
      expect(auth0.users.map((x) => x.user_id)).not.toContain(p.sub);
      expect(await confirmations(p.email)).toHaveLength(1);
      const left = (await stack.scan()).filter((i) => JSON.stringify(i).includes(p.sub) || JSON.stringify(i).includes(p.email));
      expect(left.map((i) => `${i.pk} ${i.sk}`)).toEqual([`USER#${p.sub} TEARDOWN`]);
      expect((await p.call('GET', '/v1/me')).status).toBe(410);
    }

    const progress = await admin.call('GET', `/v1/admin/users/${encodeURIComponent(owner.sub)}/teardown`);
    expect(progress.status).toBe(200);
    expect(progress.body).toMatchObject({ status: 'done', userId: owner.sub, resources: [] });
    // Asked again once done: the account is gone.
    const again = await admin.call('DELETE', `/v1/admin/users/${encodeURIComponent(owner.sub)}`);
    expect(again.status).toBe(410);
    expect(again.body.type).toBe('urn:fonella:problem:user-deleted');
  }, 120_000);

  it("await-team: a member's failing teardown holds the owner's, without an email; once it clears, a re-drive finishes both", async () => {
    const admin = await signUp('admin-team', ['admin']);
    const owner = await signUp('owner');
    const member = await signUp('member');
    const now = new Date().toISOString();
    await usersRepository(stack.table).createSettingsIfMissing({
      userId: member.sub, email: member.email, name: 'Member', timezone: 'Europe/Berlin', locale: 'de', role: 'member', ownerId: owner.sub, createdAt: now, updatedAt: now,
    });
    // Auth0 fails for the member alone (its id in the path).
    await stack.fault('auth0', { mode: 'error', count: 1000, match: member.sub.split('-').slice(1).join('-') });
    expect((await admin.call('DELETE', `/v1/admin/users/${encodeURIComponent(owner.sub)}`)).status).toBe(202);
    const parked = await waitFor('the member parked', async () => stack.streams.parked().find((p) => p.keys.pk === `USER#${member.sub}`), 60_000);
    await waitFor("the owner's own steps done", async () => Boolean((await teardowns().get(owner.sub))?.done['delete-login']), 20_000);
    await settle(stack);
    const held = (await teardowns().get(owner.sub))!;
    expect(held.status).toBe('running');
    expect(held.done['await-team']).toBeUndefined();
    expect(await confirmations(owner.email)).toEqual([]);
    expect(await confirmations(member.email)).toEqual([]);

    await fetch(`${stack.emulators.auth0}/_faults`, { method: 'DELETE' });
    expect(stack.streams.redrive(parked.id)).toBe(1);
    const done = await finished(owner.sub);
    expect(done.done['await-team']).toBeDefined();
    expect((await teardowns().get(member.sub))!.status).toBe('done');
    await settle(stack);
    expect(await confirmations(owner.email)).toHaveLength(1);
    expect(await confirmations(member.email)).toHaveLength(1);
  }, 120_000);

  it('an admin cannot delete themself here (403 own-account), nothing is written', async () => {
    const admin = await signUp('admin-self', ['admin']);
    const res = await admin.call('DELETE', `/v1/admin/users/${encodeURIComponent(admin.sub)}`);
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('urn:fonella:problem:own-account');
    expect(await teardowns().get(admin.sub)).toBeUndefined();
  });

  it('an unknown user is 404 user-not-found; their progress is 404 teardown-not-found', async () => {
    const admin = await signUp('admin-unknown', ['admin']);
    const unknown = encodeURIComponent(`auth0|nobody-${randomUUID()}`);
    const res = await admin.call('DELETE', `/v1/admin/users/${unknown}`);
    expect(res.status).toBe(404);
    expect(res.body.type).toBe('urn:fonella:problem:user-not-found');
    expect((await admin.call('GET', `/v1/admin/users/${unknown}/teardown`)).body.type).toBe('urn:fonella:problem:teardown-not-found');
  });
});
