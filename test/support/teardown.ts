// What the account-deletion suites share (test/integration/teardown.test.ts and teardown-faults.test.ts):
// the worker's stack with a fault switch on the table's batch deletes, users who signed up at Auth0, a
// fully provisioned customer, and the check that nothing of a user is left anywhere (the whole table
// read raw, and the emulators' resources).
import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { teardownsRepository, type TeardownRow } from '../../shared/db/teardowns';
import { accountPrefix } from '../../shared/providers/s3/adapter';
import { SIPGATE_LOCAL } from '../../shared/providers/sipgate/config';
import { PUBLIC_GATEWAY } from './gateways';
import { seedActivePartner } from './partners';
import { waitFor, workerStack, type TestStack } from './stack';
import { onTableCommand } from './table-commands';
import { settle } from './state';
import { partition, rowOf as userRow, rowsOf } from './users';

// The table step's fault: DynamoDB Local has no fault switch, so the handlers' own clients get one.
// Only the teardown deletes in batches, so failing BatchWriteItem fails that step alone.
let tableFault = false;
export let stack: TestStack;

/** Makes the table's batch deletes fail (true) or pass (false). */
export const failTableDeletes = (on: boolean) => {
  tableFault = on;
};

/** The calling file's stack and hooks: the table fault switch, and every fault cleared after each test. */
export function useTeardownStack(): void {
  let stopFaults: (() => void) | undefined;
  beforeAll(async () => {
    stack = await workerStack();
    stopFaults = onTableCommand((command) => {
      if (tableFault && command.name === 'BatchWriteItem') throw Object.assign(new Error('injected table fault'), { name: 'InternalServerError' });
    });
  });
  afterAll(() => {
    stopFaults?.();
  });
  afterEach(async () => {
    tableFault = false;
    for (const name of ['vapi', 'sipgate', 'stripe', 'auth0', 'mailgun', 's3']) await fetch(`${stack.emulators[name]}/_faults`, { method: 'DELETE' });
  });
}

type Row = Record<string, unknown> & { id: string };
export const teardowns = () => teardownsRepository(stack.table);
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
    expect(r.status, `${url}: ${await r.clone().text()}`).toBeLessThan(300);
    return (await r.json()) as Record<string, unknown>;
  });

/** A user who signed up: known to Auth0, with a token. */
export async function signUp(prefix: string, permissions: string[] = []) {
  const sub = `auth0|${prefix}-${randomUUID()}`;
  const email = `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
  await post(`${stack.emulators.auth0}/_users`, { user_id: sub, email, name: 'Teardown Tester' });
  const token = await stack.mintToken({ sub, email, name: 'Teardown Tester', permissions });
  return { sub, email, token, call: (method: string, path: string, body?: unknown) => stack.call(method, path, { token, body }) };
}

const rowOf = (sub: string, sk: string) => userRow(stack, sub, sk);

/** The exports bucket's objects of an account (its whole prefix), read from the S3 emulator. */
export const exportObjects = async (sub: string) =>
  (await stack.inspect<{ objects: { key: string }[] }>('s3')).objects.filter((o) => o.key.startsWith(accountPrefix(sub)));

/** A customer with everything: subscription (paid, then a failed renewal), assistant and pool number, Sipgate line, external trunk, calls, a call report, devices, a data export. */
export async function provisioned(prefix = 'full') {
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
  const external = { mode: 'external', gateway: PUBLIC_GATEWAY.ipv4, authUsername: 'pbx-7', authPassword: `pw-${randomUUID()}`, phoneNumber: externalNumber };
  expect((await u.call('POST', '/v1/me/integrations', external)).status).toBe(201);

  const callerNumber = `+49170${String(randomInt(1e7)).padStart(7, '0')}`;
  const { callId } = (await post(`${stack.emulators.vapi}/_simulate/end-of-call`, { assistantId, customerNumber: callerNumber })) as { callId: string };
  const call = await waitFor('the call stored', async () => (await rowsOf(stack, u.sub)).find((r) => r.callId === callId));
  expect((await u.call('POST', '/v1/me/call-reports', { callId, startedAt: call.startedAt, description: 'It said something odd.' })).status).toBe(202);
  for (const deviceId of ['laptop', 'phone']) {
    expect((await u.call('POST', '/v1/me/devices', { deviceId, platform: 'web', userAgent: 'Mozilla/5.0 Firefox/133.0' })).status).toBe(200);
  }
  // A developer API key, used once: its row and count in the partition, its lookup item elsewhere (naming the account).
  const key = await u.call('POST', '/v1/me/api-keys', { name: 'Teardown' });
  expect(key.status).toBe(201);
  expect((await stack.call('GET', '/v1/me/calls', { token: key.body.token })).status).toBe(200);
  // Beyond the portal: a hotline organisation of their own, a partner account they activated, and the
  // referral by another partner: rows in their partition and rows elsewhere that name them.
  expect((await u.call('POST', '/v1/organizations', { name: `Feuerwehr ${prefix}` })).status).toBe(201);
  const ownPartner = await seedActivePartner(stack, { sub: u.sub });
  const referrer = await seedActivePartner(stack);
  expect((await u.call('POST', '/v1/me/referral', { refId: referrer.publicCode })).status).toBe(200);
  await post(`${stack.emulators.stripe}/_simulate/payment-failed`, { subscriptionId });
  await waitFor('the failed payment stored', async () => (await rowsOf(stack, u.sub, 'PAYMENT_FAILED#')).length > 0, 10_000);
  // A data export, its files in the bucket.
  expect((await u.call('POST', '/v1/me/exports')).status).toBe(202);
  await settle(stack);
  expect(await exportObjects(u.sub)).toHaveLength(2);

  const rows = await rowsOf(stack, u.sub);
  const kinds = new Set(rows.map((r) => String(r.sk).split('#')[0]));
  for (const k of ['SETTINGS', 'SUBSCRIPTION', 'ASSISTANT', 'INTEGRATION', 'CALL', 'CALLREPORT', 'DEVICE', 'PAYMENT_FAILED', 'HOTLINE', 'PARTNER_LINK', 'REFERRAL', 'APIKEY', 'EXPORT']) {
    expect(kinds, k).toContain(k);
  }
  expect((await partition(stack, `PARTNER#${ownPartner.partnerId}`)).some((r) => r.auth0UserId === u.sub)).toBe(true);
  const lines = rows.filter((r) => String(r.sk).startsWith('INTEGRATION#'));
  return {
    ...u,
    apiKey: key.body.token as string,
    subscriptionId,
    assistantId,
    poolNumber: String(poolLine.number),
    numbers: [sipgateNumber, externalNumber, callerNumber],
    callId,
    vapiIds: [assistantId, ...lines.flatMap((l) => [l.vapiPhoneNumberId, l.vapiCredentialId]).filter((x): x is string => typeof x === 'string')],
    sipgateDeviceIds: lines.map((l) => l.sipgateDeviceId).filter((x): x is string => typeof x === 'string'),
  };
}
export type Provisioned = Awaited<ReturnType<typeof provisioned>>;

export async function finished(sub: string, timeoutMs = 20_000): Promise<TeardownRow> {
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
export const confirmations = async (to: string) => (await mailsTo(to)).filter((m) => /gelöscht|deleted/.test(m.subject));

/** Nothing of the user anywhere: the whole table raw, and the emulators' resources. */
export async function expectNothingLeft(u: Provisioned) {
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
  const [pool] = await partition(stack, `POOL#${u.poolNumber}`);
  if (!pool) throw new Error(`no pool row for ${u.poolNumber}`);
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
  // The bucket: nothing under the account's prefix, nor any export file left of it.
  expect(await exportObjects(u.sub)).toEqual([]);
  const auth0 = await stack.inspect<{ users: { user_id: string }[] }>('auth0');
  expect(auth0.users.map((x) => x.user_id)).not.toContain(u.sub);
  // Stripe keeps the customer and its invoices (billing records); the subscription is canceled.
  const stripe = await stack.inspect<{ subscriptions: { id: string; status: string }[] }>('stripe');
  expect(stripe.subscriptions.find((s) => s.id === u.subscriptionId)!.status).toBe('canceled');
}
