// One call's deletion, asked for by its owner (DELETE /v1/me/calls/{callId}): USER#<sub> /
// CALLDELETION#<callId>, written in one transaction with the call row's `deletionRequestedAt` (from
// then on no read of the call finds it: ./calls.ts). The purgeCall worker runs the steps from the
// record's INSERT and MODIFY, marking each on it (`done`), and deletes the record once the call's
// rows are gone: a retried or re-driven record goes on from the first step not marked.
//
// What a call leaves in the table: its row, its reference (CALL#<callId> / REF) and the rows of each
// kind in CALL_LINKED_ROWS; a kind added there is deleted with the call.
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { deleteAll } from './batch';
import { callReportsRepository } from './call-reports';
import { callKey, callRefKey, type CallRowId } from './calls';
import type { TableRef } from './client';
import { applied, transactionApplied } from './conditional';
import { USER_PK_PREFIX, afterPrefix, idOfKeyParser, userIdOfPk, userPk, type RowKeys } from './keys';
import { accountOpenCheck } from './teardowns';
import { toolCallsRepository } from './tool-calls';

/** The stream filter of the records (an sk prefix no call row has: theirs is `CALL#`). */
export const CALL_DELETION_KEYS = { pk: USER_PK_PREFIX, sk: 'CALLDELETION#' } as const;

/** A deletion's id: the owner and the call. */
export interface CallDeletionId {
  userId: string;
  callId: string;
}

const key = ({ userId, callId }: CallDeletionId) => ({ pk: userPk(userId), sk: `${CALL_DELETION_KEYS.sk}${callId}` });

/** The deletion a stream record's keys name. */
export const callDeletionIdOfKey = idOfKeyParser<CallDeletionId>(
  'a call deletion',
  ({ pk, sk }) => ({ userId: userIdOfPk(pk), callId: afterPrefix(sk, CALL_DELETION_KEYS.sk) }),
  key,
);

export interface CallDeletionRow {
  callId: string;
  /** The call's start (its row's key is made of it). */
  startedAt: string;
  requestedAt: string;
  /** Each step done, with when. */
  done: Record<string, string>;
}

/**
 * The rows of other kinds that belong to one call, each kind found by one function: the call's
 * reports (POST /v1/me/call-reports) and the records of the custom tools it called.
 */
export const CALL_LINKED_ROWS: { kind: string; keys(t: TableRef, userId: string, callId: string): Promise<RowKeys[]> }[] = [
  { kind: 'call reports', keys: (t, userId, callId) => callReportsRepository(t).keysOfCall(userId, callId) },
  { kind: 'tool calls', keys: (t, userId, callId) => toolCallsRepository(t).keysOfCall(userId, callId) },
];

export function callDeletionsRepository(t: TableRef) {
  return {
    /**
     * Records the deletion and hides the call, in one transaction: only while the call is stored and
     * not being deleted already, and the account is open. False when any of it does not hold.
     */
    async request(call: CallRowId, requestedAt: string): Promise<boolean> {
      const row: CallDeletionRow = { callId: call.callId, startedAt: call.startedAt, requestedAt, done: {} };
      return transactionApplied(
        t.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: t.tableName, Item: { ...key(call), entity: 'callDeletion', ...row }, ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Update: {
                  TableName: t.tableName,
                  Key: callKey(call),
                  UpdateExpression: 'SET deletionRequestedAt = :at',
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletionRequestedAt)',
                  ExpressionAttributeValues: { ':at': requestedAt },
                },
              },
              accountOpenCheck(t, call.userId),
            ],
          }),
        ),
      );
    },

    /** The record as it is now (strongly consistent: a retried stream record must see its own marks). */
    async get(id: CallDeletionId): Promise<CallDeletionRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key(id), ConsistentRead: true }));
      if (!res.Item) return undefined;
      const { pk: _pk, sk: _sk, entity: _e, ...rest } = res.Item;
      return rest as CallDeletionRow;
    },

    /** Marks a step done; false when the record is gone (the account's teardown took it). */
    async markStep(id: CallDeletionId, step: string, at: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(id),
            UpdateExpression: 'SET done.#step = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#step': step },
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
    },

    /** Deletes the call's rows: its row, its reference and every linked row. Answers how many there were. */
    async deleteCallRows(call: CallRowId): Promise<number> {
      const linked = (await Promise.all(CALL_LINKED_ROWS.map((kind) => kind.keys(t, call.userId, call.callId)))).flat();
      const keys = [...linked, callRefKey(call.callId), callKey(call)];
      await deleteAll(t, keys);
      return keys.length;
    },

    /** Removes the record: the deletion is complete. */
    async remove(id: CallDeletionId): Promise<void> {
      await t.doc.send(new DeleteCommand({ TableName: t.tableName, Key: key(id) }));
    },
  };
}

export type CallDeletionsRepository = ReturnType<typeof callDeletionsRepository>;
