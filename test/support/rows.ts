// Rows a test starts from, written as the code that owns them would write them (fixtures: the
// behaviour under test reads them).
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomInt, randomUUID } from 'node:crypto';
import type { CallRow } from '../../shared/db/calls';
import { poolKey, poolListKey } from '../../shared/db/pool';
import { SIPGATE_LOCAL } from '../../shared/providers/sipgate/config';
import type { TestStack } from './stack';

/**
 * A number of Fonella's pool, as an admin's import leaves it: on the Sipgate account, routed to the
 * trunk (the emulator's `/_numbers`), and free in the table with its Sipgate id. A test that gives the
 * number to a customer and takes it back (a teardown) finds it at Sipgate like any imported number.
 * A number that becomes free goes to a user waiting for one (the assignPoolNumbers worker), and files
 * sharing the stack may have left some waiting: the number answered is one that stayed free once the
 * stream workers were done (`keepFree: false` adds one and answers it at once, waiting users or not).
 */
export async function addFreePoolNumber(stack: TestStack, number?: string, opts: { keepFree?: boolean } = {}): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const added = await putFreePoolNumber(stack, attempt === 0 && number ? number : randomPoolNumber());
    if (opts.keepFree === false) return added;
    await stack.streams.idle();
    const row = await stack.table.doc.send(new GetCommand({ TableName: stack.table.tableName, Key: poolKey(added), ConsistentRead: true }));
    if (row.Item?.status === 'free') return added;
  }
  throw new Error('every number added went to a waiting user: 50 of them wait on this stack');
}

const randomPoolNumber = () => `+4921199${String(randomInt(1e6)).padStart(6, '0')}`;

async function putFreePoolNumber(stack: TestStack, number: string): Promise<string> {
  const res = await fetch(`${stack.emulators.sipgate}/_numbers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ number, endpointId: SIPGATE_LOCAL.trunkDeviceId }),
  });
  if (res.status !== 201) throw new Error(`the Sipgate emulator did not add ${number}: ${res.status} ${await res.text()}`);
  const { id: sipgateNumberId } = (await res.json()) as { id: string };
  await stack.table.doc.send(
    new PutCommand({
      TableName: stack.table.tableName,
      Item: { ...poolKey(number), ...poolListKey('free', number), entity: 'poolNumber', number, sipgateNumberId, status: 'free', importedAt: new Date().toISOString() },
    }),
  );
  return number;
}

/** A call row with only what the counters read (start, duration), as an end-of-call report leaves one without a summary. */
export function bareCall(startedAt: string, durationSeconds: number, assistantId = 'asst-fixture'): CallRow {
  return {
    callId: `call-${randomUUID()}`,
    assistantId,
    callerNumber: null,
    startedAt,
    endedAt: startedAt,
    durationSeconds,
    endedReason: null,
    summary: null,
    transcript: null,
    recordingUrl: null,
    cost: null,
    receivedAt: startedAt,
  };
}
