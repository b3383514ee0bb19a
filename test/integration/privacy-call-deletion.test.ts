// DELETE /v1/me/calls/{callId} through the local API: the call is gone from the lists with the answer,
// then the purgeCall worker deletes it at Vapi (the emulator's DELETE /call/{id}) and our rows (the
// call, its reference, its reports, its tool calls' records), each step marked so a failure resumes where it stopped.
import { beforeAll, describe, expect, it } from 'vitest';
import { tableRef } from '../../shared/db/client';
import { toolCallsRepository } from '../../shared/db/tool-calls';
import { settle } from '../support/state';
import { waitFor, workerStack, type TestStack } from '../support/stack';
import { newUser, partition, rowsOf } from '../support/users';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

async function owner() {
  const u = await newUser(stack, { prefix: 'call-deletion', firstLogin: true, assistant: { greeting: 'Guten Tag', language: 'de' } });
  return { ...u, assistantId: u.assistantId! };
}

/** A call Vapi reported, with a report of it filed by its owner. */
async function reportedCall(o: { sub: string; token: string; assistantId: string }) {
  const res = await fetch(`${stack.emulators.vapi}/_simulate/end-of-call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ assistantId: o.assistantId, customerNumber: '+4917612345678', summary: 'Herr Braun bittet um Rückruf.' }),
  });
  const { callId } = (await res.json()) as { callId: string };
  const call = await waitFor('the call stored', async () => (await rowsOf(stack, o.sub, 'CALL#')).find((r) => r.callId === callId));
  const report = await stack.call('POST', '/v1/me/call-reports', { token: o.token, body: { callId, startedAt: call.startedAt, description: 'Bitte prüfen.' } });
  expect(report.status).toBe(202);
  await settle(stack);
  return { callId, sk: String(call.sk) };
}

const vapiCalls = async () => (await stack.inspect<{ calls: { id: string }[] }>('vapi')).calls.map((c) => c.id);
const listed = async (token: string) => (await stack.call('GET', '/v1/me/calls', { token })).body.items.map((c: { callId: string }) => c.callId);
const reportsOf = async (sub: string, callId: string) => (await rowsOf(stack, sub, 'CALLREPORT#')).filter((r) => r.callId === callId);

describe('DELETE /v1/me/calls/{callId}', () => {
  it('hides the call at once, then removes its row, reference and reports here and the call at Vapi', async () => {
    const o = await owner();
    const kept = await reportedCall(o);
    const call = await reportedCall(o);
    expect(await vapiCalls()).toContain(call.callId);
    // A custom tool's call during it, recorded as the webhook records one.
    const toolCalls = toolCallsRepository(tableRef({ tableName: stack.tableName, endpoint: stack.dynamoEndpoint }));
    await toolCalls.record(o.sub, [{ callId: call.callId, toolCallId: 'tc-1', name: 'free_slots', startedAt: new Date().toISOString(), durationMs: 12, outcome: 'ok', status: 200 }]);
    expect(await toolCalls.ofCall(o.sub, call.callId)).toHaveLength(1);

    const res = await stack.call('DELETE', `/v1/me/calls/${call.callId}`, { token: o.token });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ callId: call.callId, status: 'deleting', requestedAt: expect.any(String) });
    // Gone from the lists with the answer, before any worker ran.
    expect(await listed(o.token)).not.toContain(call.callId);
    expect((await stack.call('GET', `/v1/me/calls/${call.callId}`, { token: o.token })).status).toBe(404);

    await settle(stack);
    const rows = await rowsOf(stack, o.sub);
    expect(rows.filter((r) => JSON.stringify(r).includes(call.callId))).toEqual([]);
    expect(await partition(stack, `CALL#${call.callId}`)).toEqual([]);
    expect(await reportsOf(o.sub, call.callId)).toEqual([]);
    expect(await toolCalls.ofCall(o.sub, call.callId)).toEqual([]);
    expect(await vapiCalls()).not.toContain(call.callId);
    // The other call and its report stay, here and at Vapi.
    expect(await listed(o.token)).toEqual([kept.callId]);
    expect(await reportsOf(o.sub, kept.callId)).toHaveLength(1);
    expect(await vapiCalls()).toContain(kept.callId);
  });

  it("another user's call → 404, and nothing of it changes", async () => {
    const o = await owner();
    const call = await reportedCall(o);
    const other = await newUser(stack, { prefix: 'call-deletion-other', firstLogin: true });
    const before = await rowsOf(stack, o.sub);
    const res = await stack.call('DELETE', `/v1/me/calls/${call.callId}`, { token: other.token });
    expect(res.status).toBe(404);
    expect(res.body.type).toBe('urn:fonella:problem:not-found');
    await settle(stack);
    expect(await rowsOf(stack, o.sub)).toEqual(before);
    expect(await rowsOf(stack, other.sub, 'CALLDELETION#')).toEqual([]);
    expect(await vapiCalls()).toContain(call.callId);
  });

  it('a call asked to be deleted already, or never stored → 404', async () => {
    const o = await owner();
    const call = await reportedCall(o);
    expect((await stack.call('DELETE', `/v1/me/calls/${call.callId}`, { token: o.token })).status).toBe(202);
    expect((await stack.call('DELETE', `/v1/me/calls/${call.callId}`, { token: o.token })).status).toBe(404);
    expect((await stack.call('DELETE', '/v1/me/calls/no-such-call', { token: o.token })).status).toBe(404);
    await settle(stack);
  });

  it('Vapi failing: the worker retries the step until the call is deleted there, then removes our rows', async () => {
    const o = await owner();
    const call = await reportedCall(o);
    await stack.fault('vapi', { mode: 'error', count: 2, match: `/call/${call.callId}` });
    expect((await stack.call('DELETE', `/v1/me/calls/${call.callId}`, { token: o.token })).status).toBe(202);
    await settle(stack);
    expect(await vapiCalls()).not.toContain(call.callId);
    expect((await rowsOf(stack, o.sub)).filter((r) => JSON.stringify(r).includes(call.callId))).toEqual([]);
  });
});
