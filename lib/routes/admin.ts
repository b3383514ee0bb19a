// The admin dashboard: tokens whose `permissions` hold `admin`, checked by the authorizer and again in the handler stack.
// Entries follow the rules in ./index.ts.
import { INVALID_CURSOR } from '../../shared/db/cursor';
import type { RouteDef } from '../../shared/http/route-def';
import { Teardown, UserPath } from '../../shared/schemas/teardown';
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

export const deleteUser = {
  name: 'deleteUser',
  method: 'DELETE',
  path: '/v1/admin/users/{userId}',
  handler: 'functions/admin/delete-user.ts',
  access: 'admin',
  summary: "Delete a customer's account",
  description:
    "The same teardown as `DELETE /v1/me`, for another user: the Stripe subscription canceled now, then the phone lines, the Vapi assistant, every row of the account and the Auth0 user, then the confirmation email; the user's team members (settings with `ownerId` the user) each get their own teardown, and the account's finishes after theirs. Fonella's shared trunk device and credential are never touched. The answer's `Location` is where the progress is read; asked again while it runs, the same teardown is answered. Logged with the admin's id and the target. Takes no body.",
  tags: ['admin'],
  request: { params: UserPath },
  response: { status: 202, body: Teardown, description: "The deletion is under way; `Location` names its progress (`GET /v1/admin/users/{userId}/teardown`)." },
  errors: [
    { status: 403, slugs: ['own-account'], description: '`own-account`: an admin deletes their own account with `DELETE /v1/me`, not here.' },
    { status: 404, slugs: ['user-not-found'], description: '`user-not-found`: neither the table nor Auth0 knows the user.' },
    { status: 410, slugs: ['user-deleted'], description: "`user-deleted`: the user's account was deleted already." },
  ],
  uses: { table: 'write', providers: ['auth0'] },
} satisfies RouteDef;

export const getUserTeardown = {
  name: 'getUserTeardown',
  method: 'GET',
  path: '/v1/admin/users/{userId}/teardown',
  handler: 'functions/admin/get-user-teardown.ts',
  access: 'admin',
  summary: "A deletion's progress",
  description:
    "The user's teardown: each step with when it was done, the team members' teardowns, and the resources it removes. Once done, the record is the account's tombstone: status, step times and who asked, nothing of the account's data.",
  tags: ['admin'],
  request: { params: UserPath },
  response: { status: 200, body: Teardown, description: 'The teardown.' },
  errors: [{ status: 404, slugs: ['teardown-not-found'], description: '`teardown-not-found`: the user has no teardown (or its tombstone has expired).' }],
  uses: { table: 'read' },
} satisfies RouteDef;
