// The customer's own phone lines: USER#<sub> / INTEGRATION#SIPGATE (a number of Fonella's Sipgate
// account on a register device of its own) and INTEGRATION#EXTERNAL (the customer's own SIP trunk).
// Creating one spans Sipgate and Vapi, so the row is claimed first (`state: creating` with a claim id;
// a second request of the same kind fails the condition), every provider id is written onto the row as
// soon as it exists (conditional on the claim), and removal takes the ids off one by one: whatever
// happens, the row names every provider resource still to delete. No secret is ever written here.
//
// Removing the pool line (INTEGRATION#POOL, made by shared/db/pool.ts) gives the number back to the
// pool in one transaction with the line's deletion.
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { applied, cancellationReasons, isConditionFailure } from './conditional';
import { poolKey, poolLineKey, poolListKey, type PoolLineRow } from './pool';
import { INTEGRATION_SK_PREFIX, userPk } from './keys';

export type LineKind = 'sipgate' | 'external';
export type LineState = 'creating' | 'active' | 'failed';

/** The provider ids a line may hold, in the order they are created. */
export const LINE_RESOURCE_FIELDS = ['sipgateDeviceId', 'vapiCredentialId', 'vapiPhoneNumberId'] as const;
export type LineResourceField = (typeof LINE_RESOURCE_FIELDS)[number];

export interface LineRow {
  kind: LineKind;
  state: LineState;
  claimId: string;
  /** E.164. */
  number: string;
  createdAt: string;
  updatedAt: string;
  /** Sipgate's id of the number (sipgate lines). */
  sipgateNumberId?: string;
  /** The SIP user Vapi authenticates as (the device's SIP-ID, or the customer's user name): not a secret. */
  sipUsername?: string;
  gateway?: string;
  port?: number;
  sipgateDeviceId?: string;
  vapiCredentialId?: string;
  vapiPhoneNumberId?: string;
}

const SK: Record<LineKind, string> = { sipgate: `${INTEGRATION_SK_PREFIX}SIPGATE`, external: `${INTEGRATION_SK_PREFIX}EXTERNAL` };
const key = (userId: string, kind: LineKind) => ({ pk: userPk(userId), sk: SK[kind] });

export function integrationsRepository(t: TableRef) {
  return {
    /** Strongly consistent: a retry must see what an earlier request recorded. */
    async get(userId: string, kind: LineKind): Promise<LineRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key(userId, kind), ConsistentRead: true }));
      return res.Item ? (strip(res.Item) as unknown as LineRow) : undefined;
    },

    /** Writes the claimed row unless the user has a line of this kind; false (and nothing written) otherwise. */
    async claim(userId: string, row: LineRow): Promise<boolean> {
      return applied(
        t.doc.send(
          new PutCommand({
            TableName: t.tableName,
            Item: { ...key(userId, row.kind), entity: 'line', ...row },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    /** Records created provider ids (and other fields) on the row; throws unless the claim is still ours. */
    async record(userId: string, kind: LineKind, claimId: string, fields: Partial<LineRow>): Promise<void> {
      const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
      if (entries.length === 0) return;
      await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: key(userId, kind),
          UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])),
          ExpressionAttributeValues: { ':claim': claimId, ...Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])) },
        }),
      );
    },

    /** Takes a provider id off the row once its resource is gone; a row already gone is fine. */
    async forget(userId: string, kind: LineKind, field: LineResourceField): Promise<void> {
      await applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(userId, kind),
            UpdateExpression: 'REMOVE #f',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#f': field },
          }),
        ),
      );
    },

    /** Deletes the row; with `claimId`, only while it is still that request's claim. */
    async remove(userId: string, kind: LineKind, claimId?: string): Promise<void> {
      try {
        await t.doc.send(
          new DeleteCommand({
            TableName: t.tableName,
            Key: key(userId, kind),
            ...(claimId === undefined ? {} : { ConditionExpression: 'claimId = :claim', ExpressionAttributeValues: { ':claim': claimId } }),
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    },

    /** The user's pool line, strongly consistent. */
    async poolLine(userId: string): Promise<PoolLineRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: poolLineKey(userId), ConsistentRead: true }));
      return res.Item as PoolLineRow | undefined;
    },

    /** Takes Vapi's number off the pool line once it is deleted (only if it is still that one). */
    async forgetPoolBinding(userId: string, vapiPhoneNumberId: string): Promise<void> {
      await applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: poolLineKey(userId),
            UpdateExpression: 'REMOVE vapiPhoneNumberId, boundAt',
            ConditionExpression: 'vapiPhoneNumberId = :id',
            ExpressionAttributeValues: { ':id': vapiPhoneNumberId },
          }),
        ),
      );
    },

    /**
     * Gives the number back to the pool (free, no user) and deletes the line, in one transaction; the
     * line only while no Vapi number is bound to it (false then: the binding worker was faster, and
     * the caller deletes that number first). A number the pool no longer assigns to the user is left.
     */
    async releasePoolLine(userId: string, number: string): Promise<boolean> {
      const deleteLine = {
        Delete: {
          TableName: t.tableName,
          Key: poolLineKey(userId),
          ConditionExpression: 'attribute_not_exists(vapiPhoneNumberId)',
        },
      };
      const freeNumber = {
        Update: {
          TableName: t.tableName,
          Key: poolKey(number),
          UpdateExpression: 'SET #s = :free, gsi2sk = :sk REMOVE userId, assignedAt',
          ConditionExpression: '#s = :assigned AND userId = :u',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':free': 'free', ':assigned': 'assigned', ':u': userId, ':sk': poolListKey('free', number).gsi2sk },
        },
      };
      try {
        await t.doc.send(new TransactWriteCommand({ TransactItems: [deleteLine, freeNumber] }));
        return true;
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (!reasons) throw err;
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
        // The number is not (or no longer) the user's: the line alone goes.
        if (reasons[1]?.Code === 'ConditionalCheckFailed') {
          return applied(t.doc.send(new DeleteCommand(deleteLine.Delete)));
        }
        throw err;
      }
    },
  };
}

export type IntegrationsRepository = ReturnType<typeof integrationsRepository>;

function strip(row: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, entity: _e, ...rest } = row;
  return rest;
}
