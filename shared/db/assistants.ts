// The customer's assistant: USER#<sub> / ASSISTANT, found from Vapi's id through gsi1
// (ASSISTANT#<vapiAssistantId>), which is how a webhook event finds its user.
//
// Creating it spans the table and Vapi, so it runs in three steps: a conditional claim (the row with
// `status: creating` and a claim id) before Vapi is called, so two concurrent first calls create one
// assistant; then Vapi's create; then `complete`, which fills the row, conditional on the claim still
// being this request's. A claim older than CLAIM_TTL_MS (its request died between the steps) may be
// taken over. Every write here is on the caller's own key: no input names another user. The claim
// and the completion each hold only while the account has no teardown record (`accountOpenCheck`,
// else AccountClosedError): a PUT still creating when the account's deletion is asked for does not
// record its assistant after the teardown read the partition, and deletes it again instead.
//
// Changing the ready assistant at Vapi (a PUT of its greeting or language, a custom tool added,
// changed or removed: each sends Vapi the whole model, its tools included) follows the same pattern
// with a change claim on the row (`changeClaimId`): claimed before Vapi is called, so two changes
// never cross at Vapi and one drops what the other added; completed by the write that records the
// change (`changeCompletion`, in the same transaction as a tool's row), conditional on the claim
// still being the request's; given back when Vapi failed. The row lists the tools attached
// (`tools`) and counts the changes of that list (`toolsVersion`).
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AssistantLanguage } from '../config/assistant';
import { AccountClosedError } from '../errors';
import type { TableRef } from './client';
import { userByLookup } from './lookup';
import { applied, conditionFailed, isConditionFailure, retryingConflicts } from './conditional';
import { userPk } from './keys';
import { accountOpenCheck } from './teardowns';

export interface AssistantRow {
  status: 'creating' | 'ready';
  /** The request that holds (or held) the claim. */
  claimId: string;
  claimedAt: string;
  assistantId?: string;
  greeting?: string;
  language?: AssistantLanguage;
  createdAt?: string;
  updatedAt?: string;
  /** The custom tools attached to the assistant at Vapi (shared/db/tools.ts). */
  tools?: AttachedTool[];
  /** Bumped by every change of the attached tools. */
  toolsVersion?: number;
  /** The request changing the assistant at Vapi right now, and since when. */
  changeClaimId?: string;
  changeClaimedAt?: string;
}

export interface AttachedTool {
  id: string;
  name: string;
}

export type ReadyAssistant = Required<Pick<AssistantRow, 'assistantId' | 'greeting' | 'language' | 'createdAt' | 'updatedAt'>>;

/** A claim left this long is taken to be from a request that died: the next request may take over. */
export const CLAIM_TTL_MS = 60_000;

export const ASSISTANT_SK = 'ASSISTANT';
const key = (userId: string) => ({ pk: userPk(userId), sk: ASSISTANT_SK });
export const assistantLookupKey = (assistantId: string) => ({ gsi1pk: `ASSISTANT#${assistantId}`, gsi1sk: ASSISTANT_SK });

/** Why a change could not be claimed: no ready assistant, or another request changing it. */
export type ChangeRefusal = 'missing' | 'busy';

/**
 * The transaction item that records a change and gives its claim back: `set` (attribute values by
 * name) on the row, conditional on the claim being `claimId`'s.
 */
export function changeCompletion(t: TableRef, userId: string, claimId: string, set: Record<string, unknown>) {
  const names = Object.keys(set);
  return {
    Update: {
      TableName: t.tableName,
      Key: key(userId),
      UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')} REMOVE changeClaimId, changeClaimedAt`,
      ConditionExpression: 'changeClaimId = :claim',
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
      ExpressionAttributeValues: { ':claim': claimId, ...Object.fromEntries(names.map((n, i) => [`:f${i}`, set[n]])) },
    },
  };
}


const strip = (item: Record<string, unknown>): AssistantRow => {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, entity: _e, ...rest } = item;
  return rest as unknown as AssistantRow;
};

export function assistantsRepository(t: TableRef) {
  const get = async (userId: string): Promise<AssistantRow | undefined> => {
    const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key(userId), ConsistentRead: true }));
    return res.Item ? strip(res.Item) : undefined;
  };
  return {
    /** The row as it is now (strongly consistent: a retry must see the claim it lost to). */
    get,

    /**
     * Claims the creation for this request: true when no row exists or only a stale claim does.
     * False when another request holds a live claim or the assistant exists. AccountClosedError when
     * the account is being deleted.
     */
    async claim(userId: string, claimId: string, now: Date): Promise<boolean> {
      const open = accountOpenCheck(t, userId);
      const items = [
        {
          Put: {
            TableName: t.tableName,
            Item: { ...key(userId), entity: 'assistant', status: 'creating', claimId, claimedAt: now.toISOString() },
            ConditionExpression: 'attribute_not_exists(pk) OR (#s = :creating AND claimedAt < :stale)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':creating': 'creating', ':stale': new Date(now.getTime() - CLAIM_TTL_MS).toISOString() },
          },
        },
        open,
      ];
      try {
        await retryingConflicts(() => t.doc.send(new TransactWriteCommand({ TransactItems: items })));
        return true;
      } catch (err) {
        if (conditionFailed(err, items, open)) throw new AccountClosedError(userId);
        if (conditionFailed(err, items, items[0])) return false;
        throw err;
      }
    },

    /**
     * Fills the claimed row with the created assistant; fails (throws) unless the claim is still ours,
     * and with AccountClosedError once the account's teardown record exists (the caller then deletes
     * the assistant it created).
     */
    async complete(userId: string, claimId: string, a: ReadyAssistant): Promise<void> {
      const open = accountOpenCheck(t, userId);
      const items = [
        {
          Update: {
            TableName: t.tableName,
            Key: key(userId),
            UpdateExpression:
              'SET #s = :ready, assistantId = :id, greeting = :g, #l = :l, createdAt = :c, updatedAt = :u, gsi1pk = :gpk, gsi1sk = :gsk',
            ConditionExpression: '#s = :creating AND claimId = :claim',
            ExpressionAttributeNames: { '#s': 'status', '#l': 'language' },
            ExpressionAttributeValues: {
              ':ready': 'ready',
              ':creating': 'creating',
              ':claim': claimId,
              ':id': a.assistantId,
              ':g': a.greeting,
              ':l': a.language,
              ':c': a.createdAt,
              ':u': a.updatedAt,
              ':gpk': assistantLookupKey(a.assistantId).gsi1pk,
              ':gsk': assistantLookupKey(a.assistantId).gsi1sk,
            },
          },
        },
        open,
      ];
      try {
        await retryingConflicts(() => t.doc.send(new TransactWriteCommand({ TransactItems: items })));
      } catch (err) {
        if (conditionFailed(err, items, open)) throw new AccountClosedError(userId);
        throw err;
      }
    },

    /** Gives a claim up (the create failed); a claim another request has since taken stays. */
    async release(userId: string, claimId: string): Promise<void> {
      try {
        await t.doc.send(
          new DeleteCommand({
            TableName: t.tableName,
            Key: key(userId),
            ConditionExpression: '#s = :creating AND claimId = :claim',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':creating': 'creating', ':claim': claimId },
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    },

    /**
     * Claims the right to change the ready assistant at Vapi for this request: the row as claimed, or
     * why not ('missing': no ready assistant; 'busy': another request's claim is live). A claim older
     * than CLAIM_TTL_MS is taken over.
     */
    async claimChange(userId: string, claimId: string, now: Date): Promise<AssistantRow | ChangeRefusal> {
      try {
        const res = await t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(userId),
            UpdateExpression: 'SET changeClaimId = :claim, changeClaimedAt = :now',
            ConditionExpression: '#s = :ready AND (attribute_not_exists(changeClaimId) OR changeClaimedAt < :stale)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':ready': 'ready', ':claim': claimId, ':now': now.toISOString(), ':stale': new Date(now.getTime() - CLAIM_TTL_MS).toISOString() },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return strip(res.Attributes!);
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        const row = await get(userId);
        return row?.status === 'ready' ? 'busy' : 'missing';
      }
    },

    /** Gives a change claim up (Vapi refused the change); one another request has since taken stays. */
    async releaseChange(userId: string, claimId: string): Promise<void> {
      await applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(userId),
            UpdateExpression: 'REMOVE changeClaimId, changeClaimedAt',
            ConditionExpression: 'changeClaimId = :claim',
            ExpressionAttributeValues: { ':claim': claimId },
          }),
        ),
      );
    },

    /** The user whose assistant this Vapi id is (gsi1 `ASSISTANT#<id>`; eventually consistent), if any. */
    async ownerOf(assistantId: string): Promise<string | undefined> {
      return userByLookup(t, assistantLookupKey(assistantId));
    },

    /**
     * Stores a change of a ready assistant and gives the change claim back, conditional on it still
     * being this Vapi assistant and the claim being `claimId`'s.
     */
    async update(userId: string, assistantId: string, claimId: string, changes: { greeting: string; language: AssistantLanguage; updatedAt: string }): Promise<void> {
      await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: key(userId),
          UpdateExpression: 'SET greeting = :g, #l = :l, updatedAt = :u REMOVE changeClaimId, changeClaimedAt',
          ConditionExpression: '#s = :ready AND assistantId = :id AND changeClaimId = :claim',
          ExpressionAttributeNames: { '#s': 'status', '#l': 'language' },
          ExpressionAttributeValues: { ':ready': 'ready', ':id': assistantId, ':claim': claimId, ':g': changes.greeting, ':l': changes.language, ':u': changes.updatedAt },
        }),
      );
    },
  };
}

export type AssistantsRepository = ReturnType<typeof assistantsRepository>;
