// GET /v1/hotlines/{hotlineID}/records — a page of billing records.
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { hotlinesRepository } from '../../shared/db/hotlines';
import { listRecords as run } from '../../shared/domain/hotlines';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { listHotlineRecords } from '../../lib/routes/hotlines';

const deps = { hotlines: hotlinesRepository(table()), read: itemsReader(table()) };

export const handler = route(listHotlineRecords, async ({ caller, params, query }) => ok(await run(deps, caller, params.hotlineID, query)));
