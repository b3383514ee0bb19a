// Schemas of the admin dashboard's /v1/admin routes.
import * as z from '../zod';
import { CURSOR_MAX_LENGTH } from '../db/cursor';
import { isoDateTime } from './common';

export const POOL_STATUSES = ['free', 'assigned'] as const;

/** A page size of a listing: 1 to 100 (a query parameter, so text), 25 when not given. */
const pageLimit = z
  ._default(
    z.pipe(
      z.string().check(z.maxLength(3), z.regex(/^(100|[1-9][0-9]?)$/, 'Must be an integer from 1 to 100.')),
      z.transform((s) => Number(s)),
    ),
    25,
  )
  .register(z.globalRegistry, { description: 'Items per page, 1 to 100 (default 25).', examples: ['25'] });

/** The cursor a listing answered as `nextCursor`, passed back unchanged. */
const pageCursor = z.string().check(z.minLength(1), z.maxLength(CURSOR_MAX_LENGTH)).register(z.globalRegistry, {
  description: "The previous page's `nextCursor`, unchanged (with the same `status`). Omit it for the first page.",
});

export const ListPoolNumbersQuery = z.strictObject({
  limit: pageLimit,
  cursor: z.optional(pageCursor),
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
