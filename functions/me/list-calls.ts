// GET /v1/me/calls — the caller's calls, newest first, a page at a time.
import { callsRepository } from '../../shared/db/calls';
import { table } from '../../shared/db/client';
import { listCalls as list } from '../../shared/domain/calls';
import { ok } from '../../shared/http/reply';
import { listCalls } from '../../lib/routes/me';
import { route } from '../../shared/app/key-route';

const deps = { calls: callsRepository(table()) };

export const handler = route(listCalls, async ({ caller, query }) => ok(await list(deps, caller.id, query)));
