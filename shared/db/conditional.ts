import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';

// Conditional writes: a failed condition is an answer ("someone was first", "already marked"), not an
// error. Every repository asks it the same way: of a single write (`applied`), of a whole transaction
// (`transactionApplied`), and of one item of a transaction (`conditionFailed`); a transaction cancelled only because another one touched the same
// items is tried again (`retryingConflicts`).
export const isConditionFailure = (err: unknown): boolean =>
  (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** Runs a conditional write: true when it was applied, false when its condition failed. */
export async function applied(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/**
 * Marks a row's email sent (`mailId`, `sentAt`), once: false when it was marked already or the row is
 * gone. What the workers that send one email per row write after sending it.
 */
export function markMailSent(t: TableRef, key: Record<string, unknown>, mailId: string, sentAt: string): Promise<boolean> {
  return applied(
    t.doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: key,
        UpdateExpression: 'SET mailId = :id, sentAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(mailId)',
        ExpressionAttributeValues: { ':id': mailId, ':at': sentAt },
      }),
    ),
  );
}

/** Why one item of a cancelled transaction failed (`ConditionalCheckFailed`, `TransactionConflict`, ...), with the item when asked for. */
export interface CancellationReason {
  Code?: string;
  Item?: Record<string, AttributeValue>;
}

/** The per-item reasons of a cancelled transaction, in item order; undefined for any other error. */
export function cancellationReasons(err: unknown): CancellationReason[] | undefined {
  const e = err as { name?: string; CancellationReasons?: CancellationReason[] } | null;
  return e?.name === 'TransactionCanceledException' ? (e.CancellationReasons ?? []) : undefined;
}

/** Runs a conditional transaction: true when it was applied, false when any item's condition failed. */
export async function transactionApplied(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (cancellationReasons(err)?.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
    throw err;
  }
}

/** Whether `item`, one of the transaction's `items`, failed its condition in this cancelled transaction. */
export function conditionFailed(err: unknown, items: readonly unknown[], item: unknown): boolean {
  const at = items.indexOf(item);
  return at >= 0 && cancellationReasons(err)?.[at]?.Code === 'ConditionalCheckFailed';
}

/** A transaction cancelled only because another one touched the same items: worth trying again. */
export const isTransactionConflict = (err: unknown) =>
  cancellationReasons(err)?.some((r) => r.Code === 'TransactionConflict') === true ||
  (err as { name?: string } | null)?.name === 'TransactionConflictException';

/** Tries `fn` again after a short random pause while it meets a concurrent transaction. */
export async function retryingConflicts<T>(fn: () => Promise<T>, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isTransactionConflict(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * i));
    }
  }
}
