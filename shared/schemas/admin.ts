// Schemas of the admin dashboard's /v1/admin routes.
import * as z from '../zod';
import { isoDateTime, pageCursor, pageLimit } from './common';

export const POOL_STATUSES = ['free', 'assigned'] as const;

export const ListPoolNumbersQuery = z.strictObject({
  limit: pageLimit(25),
  cursor: z.optional(pageCursor('with the same `status`')),
  status: z.optional(
    z.enum(POOL_STATUSES).register(z.globalRegistry, { description: 'Only the free, or only the assigned numbers.' }),
  ),
});

const E164 = z.string().check(z.regex(/^\+[1-9][0-9]{1,14}$/)).register(z.globalRegistry, {
  description: 'The number in E.164.',
  examples: ['+4921155590001'],
});

export const PoolNumber = z
  .object({
    number: E164,
    status: z.enum(POOL_STATUSES),
    /** The customer (Auth0 user id) it is assigned to; null while free. */
    userId: z.nullable(z.string()),
    assignedAt: z.nullable(isoDateTime),
    importedAt: isoDateTime,
    /** Sipgate's id of the number on Fonella's account. */
    sipgateNumberId: z.string(),
  })
  .register(z.globalRegistry, {
    id: 'PoolNumber',
    description: 'A number of Fonella\'s pool: free, or assigned to a customer (`userId`, since `assignedAt`).',
  });

export const PoolNumberPage = z
  .object({
    items: z.array(PoolNumber),
    nextCursor: z.nullable(z.string()).register(z.globalRegistry, {
      description: 'Pass it as `cursor` for the next page; null on the last page.',
    }),
  })
  .register(z.globalRegistry, { id: 'PoolNumberPage' });

export const PoolImportResult = z
  .object({
    imported: z.array(E164).register(z.globalRegistry, { description: 'The trunk numbers this import added to the pool (free), by number.' }),
    alreadyInPool: z.int().check(z.nonnegative()).register(z.globalRegistry, {
      description: 'Trunk numbers the pool had already; they were left as they are (an assigned one stays assigned).',
    }),
    total: z.int().check(z.nonnegative()).register(z.globalRegistry, {
      description: 'The numbers routed to the trunk on the Sipgate account now: `imported` and `alreadyInPool` together.',
    }),
  })
  .register(z.globalRegistry, { id: 'PoolImportResult' });
