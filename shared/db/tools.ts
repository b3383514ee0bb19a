// The customer's custom tools: USER#<sub> / TOOL#<toolId>, one row per tool, every one attached to the
// customer's assistant. Each row also sits in gsi1 under its assistant (ASSISTANT#<vapiAssistantId> /
// TOOL#<name>, beside the assistant row's ASSISTANT#<id> / ASSISTANT), so that a `tool-calls` message
// finds the owner and the tools it names from the assistant's id in one Query.
//
// A tool is written only together with the assistant row that records it as attached, in one
// transaction conditional on the change claim the request holds (./assistants.ts `changeCompletion`):
// the row exists exactly when Vapi's assistant was given it (shared/domain/tools.ts).
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { AccountClosedError } from '../errors';
import type { AssistantLanguage } from '../config/assistant';
import type { Sealed } from '../crypto/envelope';
import type { TableRef } from './client';
import { assistantLookupKey, changeCompletion, type AttachedTool } from './assistants';
import { conditionFailed, retryingConflicts } from './conditional';
import { accountOpenCheck } from './teardowns';
import { queryAll } from './query-all';
import { userIdOfPk, userPk } from './keys';

export const TOOL_SK_PREFIX = 'TOOL#';

export type ToolMessageKind = 'start' | 'delayed' | 'failed';
/** What the assistant says while the tool runs, per kind and language. */
export type ToolMessages = Partial<Record<ToolMessageKind, Partial<Record<AssistantLanguage, string>>>>;

export interface ToolRow {
  toolId: string;
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  url: string;
  timeoutSeconds: number;
  messages: ToolMessages;
  /** The signing secret, sealed with the signing key (context: purpose, user, tool). */
  secret: Sealed;
  /** The secret as answers show it after its creation. */
  secretHint: string;
  /** The Vapi assistant it is attached to. */
  assistantId: string;
  createdAt: string;
  updatedAt: string;
}

/** The keys of a tool row. */
export const toolKey = (userId: string, toolId: string) => ({ pk: userPk(userId), sk: `${TOOL_SK_PREFIX}${toolId}` });
const toolLookup = (assistantId: string, name: string) => ({ gsi1pk: assistantLookupKey(assistantId).gsi1pk, gsi1sk: `${TOOL_SK_PREFIX}${name}` });

/** A tool row as stored. */
export const toolItem = (userId: string, tool: ToolRow) => ({ ...toolKey(userId, tool.toolId), ...toolLookup(tool.assistantId, tool.name), entity: 'tool', ...tool });

/** A tool row read from the table, without its keys. */
export const toolOf = (item: Record<string, unknown>): ToolRow => {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, entity: _e, ...rest } = item;
  return rest as unknown as ToolRow;
};

/** A change of the tools: one row put (new, or replacing the one stored) or one deleted. */
export type ToolChange = { put: ToolRow; create: boolean } | { remove: string };

/** The change could not be recorded: the claim is no longer the request's (it was held past its time). */
export class ChangeClaimLostError extends Error {
  constructor() {
    super('the change claim on the assistant row is no longer this request\'s');
    this.name = 'ChangeClaimLostError';
  }
}

/** What the assistant row records of an attached tool. */
export const attached = (t: Pick<ToolRow, 'toolId' | 'name'>): AttachedTool => ({ id: t.toolId, name: t.name });

export function toolsRepository(t: TableRef) {
  return {
    /** The user's tools, oldest first (`consistent`: a strongly consistent Query, as a change needs). */
    async list(userId: string, opts: { consistent?: boolean } = {}): Promise<ToolRow[]> {
      const rows = await queryAll<Record<string, unknown>>(t, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tool)',
        ExpressionAttributeValues: { ':pk': userPk(userId), ':tool': TOOL_SK_PREFIX },
        ...(opts.consistent ? { ConsistentRead: true } : {}),
      });
      return rows.map(toolOf).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    },

    /** One of the user's tools. */
    async get(userId: string, toolId: string): Promise<ToolRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: toolKey(userId, toolId) }));
      return res.Item ? toolOf(res.Item) : undefined;
    },

    /**
     * The owner of a Vapi assistant and its tools, from the assistant's gsi1 key: the assistant row and
     * the tool rows in one Query (eventually consistent); undefined when no assistant of ours has the id.
     */
    async ofAssistant(assistantId: string): Promise<{ userId: string; tools: ToolRow[] } | undefined> {
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': assistantLookupKey(assistantId).gsi1pk },
        }),
      );
      const items = (res.Items ?? []) as Record<string, unknown>[];
      const owner = items.find((i) => i.gsi1sk === assistantLookupKey(assistantId).gsi1sk);
      const userId = userIdOfPk(owner?.pk);
      if (!userId) return undefined;
      return { userId, tools: items.filter((i) => i.pk === owner!.pk && String(i.gsi1sk).startsWith(TOOL_SK_PREFIX)).map(toolOf) };
    },

    /**
     * Records a change Vapi's assistant has been given: the tool's row and the assistant row's list of
     * attached tools (with its version bumped and the change claim given back), in one transaction,
     * conditional on the claim being `claimId`'s (else ChangeClaimLostError) and on the account having
     * no teardown record (else AccountClosedError).
     */
    async commit(userId: string, claimId: string, change: ToolChange, record: { tools: AttachedTool[]; toolsVersion: number; updatedAt: string }): Promise<void> {
      const open = accountOpenCheck(t, userId);
      const claim = changeCompletion(t, userId, claimId, record);
      const row =
        'put' in change
          ? { Put: { TableName: t.tableName, Item: toolItem(userId, change.put), ConditionExpression: change.create ? 'attribute_not_exists(pk)' : 'attribute_exists(pk)' } }
          : { Delete: { TableName: t.tableName, Key: toolKey(userId, change.remove), ConditionExpression: 'attribute_exists(pk)' } };
      const items = [row, claim, open];
      try {
        await retryingConflicts(() => t.doc.send(new TransactWriteCommand({ TransactItems: items })));
      } catch (err) {
        if (conditionFailed(err, items, open)) throw new AccountClosedError(userId);
        if (conditionFailed(err, items, claim) || conditionFailed(err, items, row)) throw new ChangeClaimLostError();
        throw err;
      }
    },
  };
}

export type ToolsRepository = ReturnType<typeof toolsRepository>;
