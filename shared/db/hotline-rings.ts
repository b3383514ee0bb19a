// A hotline's ring list: whom its calls ring, kept in the hotline's partition so that the call hook
// reads it with the hotline in one request instead of each agent's member row and phones.
//   HOTLINE#<id> / RING   { ticket, forUpdatedAt, phones: { <userID>: [<E.164>, ...] } }
// `phones` holds, per agent of the hotline, the active phones (by id) of an agent who is an accepted
// member of the organisation allowing its admins, and an empty list for any other agent; it was
// computed for the hotline as of `forUpdatedAt` (its `updatedAt`). Derived data, written only by the
// refreshRingLists worker (shared/domain/ring-lists.ts) from the member rows and the phones, which stay
// the truth: the call hook takes the list only while it was computed for the hotline as it is, and
// reads the truth otherwise.
// Writes of one list never go back in time: a refresh first takes a ticket (an atomic ADD), then
// reads the truth strongly consistent, and writes only while no later refresh has taken a ticket
// (`ticket = :mine`). A refresh that began after a change therefore reads it, and a refresh that read
// before a change is outrun by the one the change sets off.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { applied } from './conditional';
import type { ItemRead } from './get-items';
import { HOTLINE_PK_PREFIX } from './hotlines';

export const RING_SK = 'RING';
const ringKey = (hotlineID: number) => ({ pk: `${HOTLINE_PK_PREFIX}${hotlineID}`, sk: RING_SK });

export interface RingList {
  /** The hotline's `updatedAt` the list was computed for. */
  forUpdatedAt: string;
  /** Per agent (integer user id): the phones a call rings, in order. */
  phones: Record<string, string[]>;
}

/** The hotline's ring list, when one was written, read with other rows (shared/db/get-items.ts). */
export const ringListRead = (hotlineID: number): ItemRead<RingList | undefined> => ({
  key: ringKey(hotlineID),
  of: (item) =>
    item && typeof item.forUpdatedAt === 'string' && item.phones && typeof item.phones === 'object'
      ? { forUpdatedAt: item.forUpdatedAt, phones: item.phones as Record<string, string[]> }
      : undefined,
});

export function hotlineRingsRepository(t: TableRef) {
  return {
    /** A new ticket for a refresh of the hotline's list: later than every ticket taken before. */
    async takeTicket(hotlineID: number): Promise<number> {
      const res = await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: ringKey(hotlineID),
          UpdateExpression: 'ADD ticket :one SET entity = :entity, hotlineID = :id',
          ExpressionAttributeValues: { ':one': 1, ':entity': 'hotlineRing', ':id': hotlineID },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(res.Attributes?.ticket);
    },

    /** Writes the list a refresh computed, unless a later refresh took a ticket meanwhile (false: it writes instead). */
    write: (hotlineID: number, ticket: number, list: RingList) =>
      applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: ringKey(hotlineID),
            UpdateExpression: 'SET phones = :phones, forUpdatedAt = :for',
            ConditionExpression: 'ticket = :ticket',
            ExpressionAttributeValues: { ':phones': list.phones, ':for': list.forUpdatedAt, ':ticket': ticket },
          }),
        ),
      ),
  };
}

export type HotlineRingsRepository = ReturnType<typeof hotlineRingsRepository>;
