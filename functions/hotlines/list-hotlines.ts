// GET /v1/hotlines — a page of an organisation's hotlines.
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { hotlinesRepository } from '../../shared/db/hotlines';
import { listHotlines as run } from '../../shared/domain/hotlines';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { listHotlines } from '../../lib/routes/hotlines';

const deps = { hotlines: hotlinesRepository(table()), read: itemsReader(table()) };

export const handler = route(listHotlines, async ({ caller, query }) => ok(await run(deps, caller, query)));
