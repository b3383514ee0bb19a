import type { AttributeValue } from '@aws-sdk/client-dynamodb';

// Conditional writes: a failed condition is an answer ("someone was first", "already marked"), not an
// error. Every repository asks it the same way.
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
