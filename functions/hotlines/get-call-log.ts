// GET /v1/hotlines/{hotlineID}/call-logs/{logID} — one call log.
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { hotlinesRepository } from '../../shared/db/hotlines';
import { getCallLog as run } from '../../shared/domain/hotlines';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { getCallLog } from '../../lib/routes/hotlines';

const deps = { hotlines: hotlinesRepository(table()), read: itemsReader(table()) };

export const handler = route(getCallLog, async ({ caller, params }) => ok(await run(deps, caller, params.hotlineID, params.logID)));
