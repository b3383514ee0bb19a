// GET /v1/hotlines/{hotlineID}/records — a page of billing records.
import { table } from '../../shared/db/client';
import { hotlinesRepository } from '../../shared/db/hotlines';
import { organizationsRepository } from '../../shared/db/organizations';
import { listRecords as run } from '../../shared/domain/hotlines';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { listHotlineRecords } from '../../lib/routes/hotlines';

const deps = { organizations: organizationsRepository(table()), hotlines: hotlinesRepository(table()) };

export const handler = route(listHotlineRecords, async ({ caller, params, query }) => ok(await run(deps, caller, params.hotlineID, query)));
