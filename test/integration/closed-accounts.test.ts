// No writes into an account deleted or being deleted, through the local API: the account gate checks
// only the caller, so a write into another user's partition (an admin adding a member, or a consenting
// member's agent phone) carries its own condition on that user's teardown record; and a PUT
// /v1/me/assistant still creating the assistant when DELETE /v1/me comes leaves no Vapi assistant and
// takes no pool number, whichever of the two writes first. The races are held in place on the
// handlers' own table client (test/support/table-commands.ts): a command waits until the test lets it go.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routes } from '../../lib/routes';
import type { RouteDef } from '../../shared/http/route-def';
import { subscriptionsRepository } from '../../shared/db/subscriptions';
import { validBodies, validQueries } from '../support/arbitraries';
import { addFreePoolNumber } from '../support/rows';
import { holdTableCommand, onTableCommand, type TableCommand } from '../support/table-commands';
import { waitFor } from '../support/stack';
import { finished, signUp, stack, useTeardownStack } from '../support/teardown';
import { settle } from '../support/state';
import { rowsOf } from '../support/users';

useTeardownStack();

const problem = (slug: string) => `urn:fonella:problem:${slug}`;

const hold = holdTableCommand;

/** The completion of the assistant's creation: the write that makes the user's ASSISTANT row ready. */
const completion = (sub: string) => (c: TableCommand, text: string) =>
  ['UpdateItem', 'TransactWriteItems'].includes(c.name) && text.includes(`USER#${sub}`) && text.includes('ASSISTANT') && text.includes(':ready');
/** The teardown's record being written (DELETE /v1/me, after it read the partition). */
const teardownRecord = (sub: string) => (c: TableCommand, text: string) => c.name === 'TransactWriteItems' && text.includes(`USER#${sub}`) && text.includes('teardownId');

const vapiAssistantsOf = async (sub: string) => (await stack.inspect<{ assistants: unknown[] }>('vapi')).assistants.filter((a) => JSON.stringify(a).includes(sub));

describe("writes into another user's partition", () => {
  it('an admin adding a deleted account to an organisation is refused (409 user-account-deleted) and writes nothing into it', async () => {
    const admin = await signUp('closed-admin');
    const gone = await signUp('closed-gone');
    expect((await gone.call('GET', '/v1/me')).status).toBe(200);
    expect((await gone.call('DELETE', '/v1/me')).status).toBe(202);
    await finished(gone.sub);
    const org = (await admin.call('POST', '/v1/organizations', { name: 'Rescue service' })).body.id as number;
    const res = await admin.call('POST', `/v1/organizations/${org}/members`, { userId: gone.sub });
    expect(res.status).toBe(409);
    expect(res.body.type).toBe(problem('user-account-deleted'));
    expect((await rowsOf(stack, gone.sub)).map((r) => r.sk)).toEqual(['TEARDOWN']);
  }, 60_000);

  it("an admin adding an agent phone for a member whose account is being deleted is refused (409 user-account-deleted) and writes nothing into it", async () => {
    const admin = await signUp('closed-phone-admin');
    const member = await signUp('closed-phone-member');
    expect((await member.call('PUT', '/v1/me/assistant', { greeting: 'Hallo!' })).status).toBe(200);
    const org = (await admin.call('POST', '/v1/organizations', { name: 'Rescue service' })).body.id as number;
    const memberID = (await admin.call('POST', `/v1/organizations/${org}/members`, { userId: member.sub })).body.userID as number;
    expect((await member.call('POST', `/v1/me/organization-invitations/${org}/accept`)).status).toBe(200);
    expect((await member.call('PUT', '/v1/me/organization-access', { allow: true })).status).toBe(200);
    // Hold the member's teardown at its assistant step, before its rows go: Vapi fails until cleared.
    await stack.fault('vapi', { mode: 'error', count: 1000, match: '/assistant/' });
    expect((await member.call('DELETE', '/v1/me')).status).toBe(202);
    await waitFor('the teardown held at delete-assistant', async () => stack.streams.parked().some((p) => p.keys.pk === `USER#${member.sub}`), 30_000);
    const rowsBefore = (await rowsOf(stack, member.sub)).map((r) => r.sk);

    const res = await stack.call('POST', `/v1/agent-phones?organization_id=${org}`, {
      token: admin.token,
      body: { isActive: true, name: 'Desk', phone: '+4924155660', userID: memberID },
    });
    expect(res.status).toBe(409);
    expect(res.body.type).toBe(problem('user-account-deleted'));
    expect((await rowsOf(stack, member.sub)).map((r) => r.sk)).toEqual(rowsBefore);

    await fetch(`${stack.emulators.vapi}/_faults`, { method: 'DELETE' });
    stack.streams.redrive();
    await finished(member.sub);
    expect((await rowsOf(stack, member.sub)).map((r) => r.sk)).toEqual(['TEARDOWN']);
  }, 60_000);
});

describe('PUT /v1/me/assistant in flight when DELETE /v1/me comes', () => {
  it('a creation that would complete after the teardown record exists is refused (409 account-being-deleted) and deletes its Vapi assistant', async () => {
    const u = await signUp('closed-put-late');
    expect((await u.call('GET', '/v1/me')).status).toBe(200);
    const completing = hold(completion(u.sub));
    try {
      const put = u.call('PUT', '/v1/me/assistant', { greeting: 'Hallo!' });
      await completing.reached; // Vapi made the assistant; recording it waits.
      expect(await vapiAssistantsOf(u.sub)).toHaveLength(1);
      expect((await u.call('DELETE', '/v1/me')).status).toBe(202);
      completing.release();
      const res = await put;
      expect(res.status).toBe(409);
      expect(res.body.type).toBe(problem('account-being-deleted'));
    } finally {
      completing.release();
      completing.stop();
    }
    await finished(u.sub);
    expect(await vapiAssistantsOf(u.sub)).toEqual([]);
    expect((await rowsOf(stack, u.sub)).map((r) => r.sk)).toEqual(['TEARDOWN']);
  }, 60_000);

  it("a creation that completed after the teardown read the partition, before its record, is removed by the teardown's delete-assistant step", async () => {
    const u = await signUp('closed-put-early');
    expect((await u.call('GET', '/v1/me')).status).toBe(200);
    const completing = hold(completion(u.sub));
    const recording = hold(teardownRecord(u.sub));
    try {
      const put = u.call('PUT', '/v1/me/assistant', { greeting: 'Hallo!' });
      await completing.reached;
      const del = u.call('DELETE', '/v1/me');
      await recording.reached; // The teardown read the partition (a claim, no assistant id yet); its record waits.
      completing.release();
      const res = await put;
      expect(res.status).toBe(200);
      const assistantId = res.body.assistantId as string;
      recording.release();
      const deletion = await del;
      expect(deletion.status).toBe(202);
      expect(deletion.body.resources).not.toContainEqual(expect.objectContaining({ id: assistantId }));
    } finally {
      completing.release();
      recording.release();
      completing.stop();
      recording.stop();
    }
    await finished(u.sub);
    expect(await vapiAssistantsOf(u.sub)).toEqual([]);
    expect((await rowsOf(stack, u.sub)).map((r) => r.sk)).toEqual(['TEARDOWN']);
  }, 60_000);

  it('a pool number the PUT would take after the teardown record exists is refused (409 account-being-deleted): no number stays assigned, nothing is left at Vapi', async () => {
    const u = await signUp('closed-put-pool');
    expect((await u.call('GET', '/v1/me')).status).toBe(200);
    const now = new Date().toISOString();
    await subscriptionsRepository(stack.table).put(u.sub, { planId: 'business', status: 'active', createdAt: now, updatedAt: now });
    await addFreePoolNumber(stack);
    const assigning = hold((c, text) => c.name === 'TransactWriteItems' && text.includes(`USER#${u.sub}`) && text.includes('POOL#'));
    try {
      const put = u.call('PUT', '/v1/me/assistant', { greeting: 'Hallo!' });
      await assigning.reached; // The assistant is made and recorded; taking a number waits.
      expect((await u.call('DELETE', '/v1/me')).status).toBe(202);
      assigning.release();
      const res = await put;
      expect(res.status).toBe(409);
      expect(res.body.type).toBe(problem('account-being-deleted'));
    } finally {
      assigning.release();
      assigning.stop();
    }
    await finished(u.sub);
    await settle(stack);
    expect((await stack.scan()).filter((r) => String(r.pk).startsWith('POOL#') && r.userId === u.sub)).toEqual([]);
    const vapi = await stack.inspect<{ assistants: unknown[]; phoneNumbers: unknown[] }>('vapi');
    expect([...vapi.assistants, ...vapi.phoneNumbers].filter((r) => JSON.stringify(r).includes(u.sub))).toEqual([]);
    expect((await rowsOf(stack, u.sub)).map((r) => r.sk)).toEqual(['TEARDOWN']);
  }, 60_000);

  it('a PUT and a DELETE sent together leave no Vapi assistant, whichever writes first', async () => {
    const u = await signUp('closed-together');
    expect((await u.call('GET', '/v1/me')).status).toBe(200);
    const [put, del] = await Promise.all([u.call('PUT', '/v1/me/assistant', { greeting: 'Hallo!' }), u.call('DELETE', '/v1/me')]);
    expect(del.status).toBe(202);
    expect([200, 409]).toContain(put.status);
    await finished(u.sub);
    expect(await vapiAssistantsOf(u.sub)).toEqual([]);
    expect((await rowsOf(stack, u.sub)).map((r) => r.sk)).toEqual(['TEARDOWN']);
  }, 60_000);
});

describe("routes whose handler reads the caller's rows check the account in that read", () => {
  /** The requests' own commands on the user's partition (a stream worker reading it is not among them: its commands come after the answer). */
  async function commandsOf(sub: string, send: () => Promise<{ status: number; body: { type?: string } }>) {
    // What an earlier request set off (the workers of its rows) is done first: its reads are not this request's.
    await stack.streams.idle();
    const sent: TableCommand[] = [];
    const stop = onTableCommand((c) => {
      if (JSON.stringify(c.input).includes(`USER#${sub}`)) sent.push(c);
    });
    try {
      return { res: await send(), sent: [...sent] };
    } finally {
      stop();
    }
  }
  const teardownGets = (sent: TableCommand[]) => sent.filter((c) => c.name === 'GetItem' && JSON.stringify(c.input).includes('"TEARDOWN"'));

  it('PUT /v1/me/assistant and POST /v1/me/subscription read the teardown record only in their partition Query; every route that checks the account in its first read refuses a closed account with that one read', async () => {
    const u = await signUp('in-partition');
    expect((await u.call('GET', '/v1/me')).status).toBe(200);

    const put = await commandsOf(u.sub, () => u.call('PUT', '/v1/me/assistant', { greeting: 'Guten Tag!', language: 'de' }));
    expect(put.res.status, JSON.stringify(put.res.body)).toBe(200);
    // No GetItem of the teardown record (the gate's, before): its first read is the partition's Query, strongly consistent.
    expect(teardownGets(put.sent)).toEqual([]);
    expect(put.sent[0]!.name).toBe('Query');
    expect(put.sent[0]!.input.ConsistentRead).toBe(true);

    const subscribe = await commandsOf(u.sub, () => u.call('POST', '/v1/me/subscription', { planId: 'starter' }));
    expect(subscribe.res.status, JSON.stringify(subscribe.res.body)).toBe(201);
    expect(teardownGets(subscribe.sent)).toEqual([]);
    expect(subscribe.sent[0]!.name).toBe('Query');
    expect(subscribe.sent[0]!.input.ConsistentRead).toBe(true);

    // A route the stack still gates reads the record first: the one read these two save.
    const devices = await commandsOf(u.sub, () => u.call('POST', '/v1/me/devices', { deviceId: 'desk', platform: 'web', userAgent: 'Mozilla/5.0 Firefox/133.0' }));
    expect(devices.res.status).toBe(200);
    expect(teardownGets(devices.sent)).toHaveLength(1);

    // Held at its login step: the teardown runs.
    await stack.fault('auth0', { mode: 'error', count: 1000, match: '/api/v2/users/' });
    expect((await u.call('DELETE', '/v1/me')).status).toBe(202);
    const before = await settle(stack);
    const partnerToken = await stack.mintToken({ sub: u.sub, permissions: ['partner'] });
    const inPartition = Object.values(routes as Record<string, RouteDef>).filter((r) => r.accountState === 'in-partition-read');
    expect(inPartition.map((r) => r.name).sort()).toEqual([
      'acceptOrganizationInvitation',
      'addIntegration',
      'addOrganizationMember',
      'changePlan',
      'checkSipAccount',
      'confirmEmail',
      'createAgentPhone',
      'createHotline',
      'createOrganization',
      'createSipAccount',
      'createSubscription',
      'declineOrganizationInvitation',
      'deleteMe',
      'getCallLog',
      'getHotline',
      'getMe',
      'getPartner',
      'listAgentPhones',
      'listCallLogs',
      'listHotlineRecords',
      'listHotlines',
      'putAssistant',
      'savePayoutDetails',
      'saveReferral',
      'setOrganizationAccess',
      'updateAgentPhone',
      'updateHotline',
      'updateSettings',
    ]);
    for (const r of inPartition) {
      const valid = validBodies(r);
      const sampled = valid ? (fc.sample(valid, { numRuns: 1, seed: 5 })[0] as Record<string, unknown>) : undefined;
      // Every path id is 1, and a body's copy of it too (else a 400 comes first).
      const body = sampled && 'id' in sampled ? { ...sampled, id: 1 } : sampled;
      const queries = validQueries(r);
      const query = queries ? fc.sample(queries, { numRuns: 1, seed: 5 })[0] : '';
      // A partner route's token carries the permission it needs first.
      const token = r.access === 'partner' ? partnerToken : u.token;
      const refused = await commandsOf(u.sub, () => stack.call(r.method, `${r.path.replace(/\{[^}]+\}/g, '1')}${query}`, { token, body }));
      expect(refused.res.status, `${r.name}: ${JSON.stringify(refused.res.body)}`).toBe(409);
      expect(refused.res.body.type).toBe(problem('account-being-deleted'));
      // One read, strongly consistent, holding the record (the partition's Query, or the record's key among the route's own); nothing written.
      expect(refused.sent.map((c) => c.name), r.name).toHaveLength(1);
      const [read] = refused.sent;
      if (read!.name === 'BatchGetItem') {
        const asked = Object.values(read!.input.RequestItems as Record<string, { Keys: { pk: string; sk: string }[]; ConsistentRead?: boolean }>)[0]!;
        expect(asked.ConsistentRead, r.name).toBe(true);
        expect(asked.Keys, r.name).toContainEqual({ pk: `USER#${u.sub}`, sk: 'TEARDOWN' });
      } else {
        expect(read!.name, r.name).toBe('Query');
        expect(read!.input.ConsistentRead, r.name).toBe(true);
      }
    }
    expect(await settle(stack)).toBe(before);
    await fetch(`${stack.emulators.auth0}/_faults`, { method: 'DELETE' });
  }, 60_000);
});
