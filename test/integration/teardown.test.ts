// Account deletion through the local API and the stream worker: a fully provisioned customer deleted
// with nothing of theirs left in the emulators or the table (the whole table read raw) and one email;
// the deleted user's token refused on every route with nothing created; a team deleted by an admin; an
// admin deleting themself; an unknown user. A fault at each step: teardown-faults.test.ts.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routes } from '../../lib/routes';
import { poolAssignments } from '../../shared/db/pool';
import { usersRepository } from '../../shared/db/users';
import { TEARDOWN_STEPS } from '../../shared/domain/teardown-steps';
import { isAuthenticated, type RouteDef } from '../../shared/http/route-def';
import { validBodies, validQueries } from '../support/arbitraries';
import { waitFor } from '../support/stack';
import { settle } from '../support/state';
import { confirmations, expectNothingLeft, failTableDeletes, finished, provisioned, signUp, stack, teardowns, useTeardownStack } from '../support/teardown';
import { rowOf, rowsOf } from '../support/users';
import type { TeardownRow } from '../../shared/db/teardowns';

useTeardownStack();

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
    // The account's API key went with it: its token finds no key.
    const keyed = await stack.call('GET', '/v1/me/calls', { token: u.apiKey });
    expect(keyed.status).toBe(401);
    expect(keyed.body.type).toBe('urn:fonella:problem:api-key-invalid');
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

describe('remove-phone-lines', () => {
  it('takes the user off the list of those waiting for a pool number itself, before the rows go', async () => {
    const u = await signUp('waiting');
    expect((await u.call('GET', '/v1/me')).status).toBe(200);
    // Waiting for a number (the pool had none free when their assistant was saved).
    const pool = poolAssignments(stack.table);
    expect(await pool.startWaiting(u.sub, new Date().toISOString())).toBe(true);
    const listed = async () => (await pool.waiting({ limit: 1000 })).some((w) => w.userId === u.sub);
    expect(await listed()).toBe(true);
    // Hold the teardown at the step after the lines: the table's batch deletes fail.
    failTableDeletes(true);
    expect((await u.call('DELETE', '/v1/me')).status).toBe(202);
    const parked = await waitFor('the record parked', async () => stack.streams.parked().find((p) => p.keys.pk === `USER#${u.sub}`), 60_000);
    const held = (await teardowns().get(u.sub))!;
    expect(held.done['remove-phone-lines']).toBeDefined();
    expect(held.done['delete-rows']).toBeUndefined();
    // The partition's rows are still there, the waiting marker is not, and the list no longer has them.
    expect(await rowOf(stack, u.sub, 'SETTINGS')).toBeDefined();
    expect(await rowOf(stack, u.sub, 'POOL_WAITING')).toBeUndefined();
    expect(await listed()).toBe(false);

    failTableDeletes(false);
    expect(stack.streams.redrive(parked.id)).toBe(1);
    await finished(u.sub);
  }, 120_000);
});

describe("the deleted account's token", () => {
  const guarded = Object.values(routes as Record<string, RouteDef>).filter(isAuthenticated);

  it('every route refuses it (410 account-deleted, or 403 where a permission is missing first) and nothing is created', async () => {
    const u = await signUp('ghost');
    expect((await u.call('DELETE', '/v1/me')).status).toBe(202);
    await finished(u.sub);
    const before = await settle(stack);
    const admin = await stack.mintToken({ sub: u.sub, email: u.email, permissions: ['admin', 'partner'] });
    for (const r of guarded) {
      const valid = validBodies(r);
      const body = valid ? fc.sample(valid, { numRuns: 1, seed: 3 })[0] : undefined;
      // A valid query: a route that checks the account in its own first read validates the request first.
      const queries = validQueries(r);
      const path = `${r.path.replace(/\{\w+\}/g, 'x')}${queries ? fc.sample(queries, { numRuns: 1, seed: 3 })[0] : ''}`;
      for (const token of [u.token, admin]) {
        const res = await stack.call(r.method, path, { token, body });
        const label = `${r.name} → ${res.status} ${JSON.stringify(res.body)}`;
        if (res.status === 403) expect(token, label).toBe(u.token);
        else expect(res.body?.type, label).toBe('urn:fonella:problem:account-deleted');
      }
    }
    expect(await settle(stack)).toBe(before);
    expect((await rowsOf(stack, u.sub)).map((i) => i.sk)).toEqual(['TEARDOWN']);
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
