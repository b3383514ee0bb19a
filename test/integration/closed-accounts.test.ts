// No writes into an account deleted or being deleted, through the local API: the account gate checks
// only the caller, so a write into another user's partition (an admin adding a member, or a consenting
// member's agent phone) carries its own condition on that user's teardown record.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/stack';
import { finished, signUp, stack, useTeardownStack } from '../support/teardown';
import { rowsOf } from '../support/users';

useTeardownStack();

const problem = (slug: string) => `urn:fonella:problem:${slug}`;

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
