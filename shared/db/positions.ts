// Positions in a list that only grows (an organisation's hotlines, a hotline's call logs, its billing
// records): 1, 2, 3, … in creation order, kept by the list's counter and taken in the transaction that
// writes the row. An offset page is then a range of positions, read with one Query of at most `limit`
// items whatever the offset and the list's length, and the list's length is the counter's value.
//   HOTLINE#<id> / POSITION#callLogs, POSITION#records    { value }: the last position given
// (an organisation's hotlines count in their quota row, ORG#<orgId> / QUOTA#hotlines `used`: that
// count is their position; shared/db/quotas.ts).
// A write reads the counter (strongly consistent), allocates the row's id, and moves the counter from
// n to n + 1 on the condition that it still is n. Of two concurrent writes one wins; the other reads
// again and takes n + 2 with a fresh id (the first one is skipped, as ids are when a write loses a
// race). An id allocated after the read of n is above every id at positions ≤ n, so a list in
// position order is in id order too, the order the lists had before they had positions.
// Nothing takes a position back: a route that deletes rows of such a list needs another way to page it.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import type { ItemRead } from './get-items';
import { conditionFailed, isTransactionConflict } from './conditional';

/** A list's counter: the row and the number attribute that holds the last position given. */
export interface PositionCounter {
  key: { pk: string; sk: string };
  attribute: string;
  /** The row's `entity`, set by every take. */
  entity: string;
}

export type PositionList = 'callLogs' | 'records';

export const POSITION_SK_PREFIX = 'POSITION#';

/** The counter of the list `list` kept in partition `pk`. */
export const positionCounter = (pk: string, list: PositionList): PositionCounter => ({ key: { pk, sk: `${POSITION_SK_PREFIX}${list}` }, attribute: 'value', entity: 'position' });

/** The counter's row after `last` positions (for local tooling that loads a list in bulk). */
export const positionCounterItem = (c: PositionCounter, last: number) => ({ ...c.key, entity: c.entity, [c.attribute]: last });

/** The last position given (0 for a list without any), read strongly consistent. */
export async function lastPosition(t: TableRef, c: PositionCounter): Promise<number> {
  const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: c.key, ConsistentRead: true, ProjectionExpression: '#v', ExpressionAttributeNames: { '#v': c.attribute } }));
  return Number(res.Item?.[c.attribute] ?? 0);
}

/** The last position given, read with other rows (shared/db/get-items.ts). */
export const lastPositionRead = (c: PositionCounter): ItemRead<number> => ({ key: c.key, of: (item) => Number(item?.[c.attribute] ?? 0) });

/** The transaction item that moves the counter from `last` to `last + 1`; its condition fails when another write moved it first. */
export function positionTake(t: TableRef, c: PositionCounter, last: number) {
  return {
    Update: {
      TableName: t.tableName,
      Key: c.key,
      UpdateExpression: 'SET #v = :next, entity = :entity',
      ConditionExpression: last === 0 ? 'attribute_not_exists(#v) OR #v = :last' : '#v = :last',
      ExpressionAttributeNames: { '#v': c.attribute },
      ExpressionAttributeValues: { ':last': last, ':next': last + 1, ':entity': c.entity },
    },
  };
}

/** What an attempt answers when the counter moved before its write (the write is tried again at the next position). */
export const MOVED = Symbol('position moved');

/** Whether a failed transaction lost its position: `take`, one of its `items`, failed its condition, or it met a concurrent transaction. */
export const positionMoved = (err: unknown, items: readonly unknown[], take: unknown) => conditionFailed(err, items, take) || isTransactionConflict(err);

/**
 * Writes a row at the next position of a list: `attempt` gets the counter's value, read just before
 * (for the first attempt: `read`, when the caller read it strongly consistent with other rows), and
 * answers its result, or MOVED when another write took that position first; then it runs again with
 * the value read anew. Every MOVED but a transaction conflict means another write got through, so
 * `attempts` is only a bound against a fault.
 */
export async function atNextPosition<T>(
  t: TableRef,
  c: PositionCounter,
  attempt: (last: number) => Promise<T | typeof MOVED>,
  opts: { read?: number; attempts?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 50;
  for (let i = 1; ; i++) {
    const result = await attempt(i === 1 && opts.read !== undefined ? opts.read : await lastPosition(t, c));
    if (result !== MOVED) return result;
    if (i >= attempts) throw new Error(`No position in ${c.key.pk} / ${c.key.sk} after ${attempts} attempts: other writes kept taking it.`);
    await new Promise((r) => setTimeout(r, Math.random() * 5 * Math.min(i, 10)));
  }
}

/**
 * The positions of the page at `offset` of a list of `total`, `limit` long: from the first (oldest
 * first) or from the last (newest first: the page at offset o is positions total - o down to
 * total - o - limit + 1). `from > to` when the page is past the end.
 */
export function pagePositions(total: number, page: { limit: number; offset: number }, newestFirst: boolean): { from: number; to: number } {
  if (!newestFirst) return { from: page.offset + 1, to: Math.min(total, page.offset + page.limit) };
  return { from: Math.max(1, total - page.offset - page.limit + 1), to: total - page.offset };
}
