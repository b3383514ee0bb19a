// GET /v1/hotlines/{hotlineID}/call-logs — a page of call logs.
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { hotlinesRepository } from '../../shared/db/hotlines';
import { listCallLogs as run } from '../../shared/domain/hotlines';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { listCallLogs } from '../../lib/routes/hotlines';

const deps = { hotlines: hotlinesRepository(table()), read: itemsReader(table()) };

export const handler = route(listCallLogs, async ({ caller, params, query }) => ok(await run(deps, caller, params.hotlineID, query)));
