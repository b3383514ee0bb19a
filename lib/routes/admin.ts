// The admin dashboard: tokens whose `permissions` hold `admin`, checked by the authorizer and again in the handler stack.
// Entries follow the rules in ./index.ts.
import { INVALID_CURSOR } from '../../shared/db/cursor';
import type { RouteDef } from '../../shared/http/route-def';
import { ListPoolNumbersQuery, PoolImportResult, PoolNumberPage } from '../../shared/schemas/admin';

export const importPoolNumbers = {
  name: 'importPoolNumbers',
  method: 'POST',
  path: '/v1/admin/pool-numbers',
  handler: 'functions/admin/import-pool-numbers.ts',
  access: 'admin',
  summary: "Import the trunk's numbers into the pool",
  description:
    "Reads the numbers of Fonella's Sipgate account and stores each one routed to the shared trunk device as a free pool number, unless the pool has it already: numbers routed elsewhere are not imported, and a number in the pool is left as it is (an assigned number stays assigned). Safe to repeat: a second import adds only numbers new on the trunk. Takes no body.",
  tags: ['admin'],
  response: { status: 200, body: PoolImportResult, description: 'The numbers added now, and how many the pool had already.' },
  uses: { table: 'write', providers: ['sipgate'] },
} satisfies RouteDef;

export const listPoolNumbers = {
  name: 'listPoolNumbers',
  method: 'GET',
  path: '/v1/admin/pool-numbers',
  handler: 'functions/admin/list-pool-numbers.ts',
  access: 'admin',
  summary: 'The pool numbers and their assignment',
  description:
    'The pool numbers, a page at a time: each with its status, and the customer it is assigned to and since when. Assigned numbers come before free ones, each in number order; `status` lists one of the two. Pass `nextCursor` back as `cursor` for the next page, with the same `status`.',
  tags: ['admin'],
  request: { query: ListPoolNumbersQuery },
  response: { status: 200, body: PoolNumberPage, description: 'One page of pool numbers.' },
  errors: [
    {
      status: 400,
      slugs: [INVALID_CURSOR],
      // Literal text, not the constant: a template with an import would keep this entry in every bundle.
      description: '`invalid-cursor`: `cursor` is not a `nextCursor` this listing answered (for this `status`); start again without one.',
    },
  ],
  uses: { table: 'read' },
} satisfies RouteDef;
