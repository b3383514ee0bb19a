// What the assistant's custom tools did during a call: USER#<sub> / TOOLCALL#<callId>#<startedAt>#<toolCallId>,
// one row per tool call, written as the webhook answers Vapi (the call's own row comes later, with the
// end-of-call report) and read with the call (GET /v1/me/calls/{callId}). A row holds the tool's
// name, when, how long and how it ended; never the arguments or the answer. Kept as long as the
// account keeps its calls: each row carries the owner's retention as a TTL (`ttl`), re-dated with its
// call (shared/domain/call-retention.ts). Deleted with the call and with the account (every row of the
// partition is); a repeated tool call id writes the same key again.
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { applied } from './conditional';
import type { ToolCallOutcome } from '../model/tool-calls';
import type { TableRef } from './client';
import { userPk } from './keys';
import { queryAll } from './query-all';

export const TOOL_CALL_SK_PREFIX = 'TOOLCALL#';

export type { ToolCallOutcome };

export interface ToolCallRow {
  callId: string;
  toolCallId: string;
  /** Our tool's id; missing for a name no tool of the owner has. */
  toolId?: string;
  name: string;
  startedAt: string;
  durationMs: number;
  outcome: ToolCallOutcome;
  /** The HTTP status the tool's URL answered, when it answered. */
  status?: number;
  /** When DynamoDB deletes the row (epoch seconds): the owner's call retention. */
  ttl?: number;
}

const callPrefix = (callId: string) => `${TOOL_CALL_SK_PREFIX}${callId}#`;
export const toolCallKey = (userId: string, r: Pick<ToolCallRow, 'callId' | 'startedAt' | 'toolCallId'>) => ({
  pk: userPk(userId),
  sk: `${callPrefix(r.callId)}${r.startedAt}#${r.toolCallId}`,
});

const BATCH = 25;

export function toolCallsRepository(t: TableRef) {
  /** The keys of a call's tool-call rows (strongly consistent). */
  const keysOfCall = async (userId: string, callId: string): Promise<{ pk: string; sk: string }[]> => {
    const rows = await queryAll(t, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :call)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':call': callPrefix(callId) },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    });
    return rows.map((r) => ({ pk: String(r.pk), sk: String(r.sk) }));
  };

  return {
    /** Writes the rows (one BatchWriteItem per 25, the unprocessed ones sent again). */
    async record(userId: string, rows: ToolCallRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += BATCH) {
        let requests: Record<string, unknown>[] | undefined = rows
          .slice(i, i + BATCH)
          .map((r) => ({ PutRequest: { Item: { ...toolCallKey(userId, r), entity: 'toolCall', ...r } } }));
        for (let attempt = 0; requests && requests.length > 0; attempt++) {
          if (attempt > 0) await new Promise((done) => setTimeout(done, 10 * attempt));
          if (attempt > 5) throw new Error(`${requests.length} tool call rows not written`);
          const res = await t.doc.send(new BatchWriteCommand({ RequestItems: { [t.tableName]: requests as never } }));
          requests = res.UnprocessedItems?.[t.tableName] as Record<string, unknown>[] | undefined;
        }
      }
    },

    /** The keys of a call's tool-call rows (strongly consistent): what its deletion removes with it. */
    keysOfCall,

    /** The new TTL of a call's tool-call rows (its re-dating); a row deleted meanwhile is left alone. */
    async setTtlOfCall(userId: string, callId: string, ttl: number): Promise<number> {
      const keys = await keysOfCall(userId, callId);
      let set = 0;
      for (const key of keys) {
        const update = new UpdateCommand({
          TableName: t.tableName,
          Key: key,
          UpdateExpression: 'SET #ttl = :ttl',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':ttl': ttl },
        });
        if (await applied(t.doc.send(update))) set++;
      }
      return set;
    },

    /** A call's tool calls, oldest first. */
    async ofCall(userId: string, callId: string): Promise<ToolCallRow[]> {
      const items = await queryAll<Record<string, unknown>>(t, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :call)',
        ExpressionAttributeValues: { ':pk': userPk(userId), ':call': callPrefix(callId) },
      });
      return items.map((item) => {
        const { pk: _pk, sk: _sk, entity: _e, ...rest } = item;
        return rest as unknown as ToolCallRow;
      });
    },
  };
}

export type ToolCallsRepository = ReturnType<typeof toolCallsRepository>;
