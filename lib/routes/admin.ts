// The admin dashboard: tokens whose `permissions` hold `admin`, checked by the authorizer and again in the handler stack.
// Entries follow the rules in ./index.ts.
import { INVALID_CURSOR } from '../../shared/db/cursor';
import type { RouteDef } from '../../shared/http/route-def';
import {
  AdminStats,
  CustomerPage,
  HotlineImportResult,
  HotlineNumberPage,
  InvitePartnerBody,
  ListCustomersQuery,
  ListHotlineNumbersQuery,
  ListPartnersQuery,
  ListPoolNumbersQuery,
  Partner,
  PartnerPage,
  PartnerPath,
  PoolImportResult,
  PoolNumberPage,
  StatsQuery,
  UpdatePartnerBody,
} from '../../shared/schemas/admin';
import { Teardown, UserPath } from '../../shared/schemas/teardown';

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

export const importHotlineNumbers = {
  name: 'importHotlineNumbers',
  method: 'POST',
  path: '/v1/admin/hotline-numbers',
  handler: 'functions/admin/import-hotline-numbers.ts',
  access: 'admin',
  summary: "Import the hotline trunk's local numbers into the hotline pool",
  description:
    "Reads the numbers of Fonella's Sipgate account and stores each one routed to the hotline trunk device as a free hotline number of its area code (the first group of Sipgate's `localized` form), unless the pool has it already: numbers routed elsewhere are not imported, and a number in the pool is left as it is (an assigned number stays assigned). The numbers are registered at jambonz on Fonella's carrier for the hotline trunk, which the first import makes. Then each area's hotlines that wait for a number (`waiting-for-number`) get its free numbers, first created first, one each, and become active a moment later. Safe to repeat: a second import adds only numbers new on the trunk. Takes no body.",
  tags: ['admin'],
  response: { status: 200, body: HotlineImportResult, description: 'The numbers added now, how many the pool had already, and the waiting hotlines that got one.' },
  uses: { table: 'write', providers: ['sipgate', 'jambonz'] },
} satisfies RouteDef;

export const listHotlineNumbers = {
  name: 'listHotlineNumbers',
  method: 'GET',
  path: '/v1/admin/hotline-numbers',
  handler: 'functions/admin/list-hotline-numbers.ts',
  access: 'admin',
  summary: 'The hotline numbers, their area codes and assignment',
  description:
    'The hotline pool\'s numbers, a page at a time: each with its area code, its status, and the hotline (and organisation) it is assigned to and since when. Assigned numbers come before free ones, each in number order; `status` lists one of the two, `areaCode` one area (`030` and `30` alike). Pass `nextCursor` back as `cursor` for the next page, with the same `status` and `areaCode`.',
  tags: ['admin'],
  request: { query: ListHotlineNumbersQuery },
  response: { status: 200, body: HotlineNumberPage, description: 'One page of hotline numbers.' },
  errors: [
    {
      status: 400,
      slugs: [INVALID_CURSOR],
      // Literal text, not the constant: a template with an import would keep this entry in every bundle.
      description: '`invalid-cursor`: `cursor` is not a `nextCursor` this listing answered (for this `status` and `areaCode`); start again without one.',
    },
  ],
  uses: { table: 'read' },
} satisfies RouteDef;

export const invitePartner = {
  name: 'invitePartner',
  method: 'POST',
  path: '/v1/admin/partners',
  handler: 'functions/admin/invite-partner.ts',
  access: 'admin',
  summary: 'Invite a partner',
  description:
    'Creates the partner (`invited`) with a public referral code of its own, and emails them an invite link to the partner portal (`<partner portal>/activate?invite=<token>`). The token works once and expires after 14 days; only its hash is stored.',
  tags: ['admin'],
  request: { body: InvitePartnerBody, maxBodyBytes: 4_096 },
  response: { status: 201, body: Partner, description: 'The partner, invited; the email follows.' },
  uses: { table: 'write' },
} satisfies RouteDef;

export const listPartners = {
  name: 'listPartners',
  method: 'GET',
  path: '/v1/admin/partners',
  handler: 'functions/admin/list-partners.ts',
  access: 'admin',
  summary: 'The partners',
  description: 'Every partner, newest first, a page at a time. Pass `nextCursor` back as `cursor` for the next page.',
  tags: ['admin'],
  request: { query: ListPartnersQuery },
  response: { status: 200, body: PartnerPage, description: 'One page of partners.' },
  errors: [{ status: 400, slugs: [INVALID_CURSOR], description: '`invalid-cursor`: `cursor` is not a `nextCursor` this listing answered; start again without one.' }],
  uses: { table: 'read' },
} satisfies RouteDef;

export const updatePartner = {
  name: 'updatePartner',
  method: 'PATCH',
  path: '/v1/admin/partners/{partnerId}',
  handler: 'functions/admin/update-partner.ts',
  access: 'admin',
  summary: "Change a partner's commission or status",
  description: 'Sets the fields given: `commissionPercent` (0 to 100) and/or `status` (`active`, `disabled`). At least one.',
  tags: ['admin'],
  request: { params: PartnerPath, body: UpdatePartnerBody, maxBodyBytes: 4_096 },
  response: { status: 200, body: Partner, description: 'The partner as stored now.' },
  errors: [{ status: 404, slugs: ['not-found'], description: '`not-found`: no partner has this id.' }],
  uses: { table: 'write' },
} satisfies RouteDef;

export const listCustomers = {
  name: 'listCustomers',
  method: 'GET',
  path: '/v1/admin/customers',
  handler: 'functions/admin/list-customers.ts',
  access: 'admin',
  summary: 'The customers, or a search among them',
  description:
    'Every customer (anyone with settings, a subscription, or both; each once), newest first, a page at a time, from an index the table\'s stream keeps: a change shows within seconds. `q` searches email, name and company by the start of any word (each word of `q` must start one), in any case, accents folded. Pass `nextCursor` back as `cursor`, with the same `q`, for the next page. Each customer shows how many developer API keys the account holds (never the keys).',
  tags: ['admin'],
  request: { query: ListCustomersQuery },
  response: { status: 200, body: CustomerPage, description: 'One page of customers.' },
  errors: [{ status: 400, slugs: [INVALID_CURSOR], description: '`invalid-cursor`: `cursor` is not a `nextCursor` this listing answered (for this `q`); start again without one.' }],
  uses: { table: 'read' },
} satisfies RouteDef;

export const getStats = {
  name: 'getStats',
  method: 'GET',
  path: '/v1/admin/stats',
  handler: 'functions/admin/get-stats.ts',
  access: 'admin',
  summary: 'KPIs and their last twelve months',
  description:
    'Customers, subscriptions in force by plan, MRR, sign-ups, calls and minutes: now and for each of the last twelve months (UTC). A snapshot of up to an hour is answered as it is (one read); an older one, or `refresh=1` (unless the figures are at most five seconds old), is computed again from counters the table\'s stream keeps exact, by one request at a time: concurrent requests get that one\'s figures.',
  tags: ['admin'],
  request: { query: StatsQuery },
  response: { status: 200, body: AdminStats, description: 'The figures.' },
  errors: [
    {
      status: 503,
      slugs: ['stats-rebuilding'],
      description: '`stats-rebuilding`: there is no snapshot yet and another request is computing the first one; retry after the seconds given.',
      retryAfter: 'Seconds until the figures should be ready.',
    },
  ],
  uses: { table: 'write' },
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
