// GET /v1/hotlines/{hotlineID}/call-logs/{logID} — one call log.
import { table } from '../../shared/db/client';
import { hotlinesRepository } from '../../shared/db/hotlines';
import { organizationsRepository } from '../../shared/db/organizations';
import { getCallLog as run } from '../../shared/domain/hotlines';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { getCallLog } from '../../lib/routes/hotlines';

const deps = { organizations: organizationsRepository(table()), hotlines: hotlinesRepository(table()) };

export const handler = route(getCallLog, async ({ caller, params }) => ok(await run(deps, caller, params.hotlineID, params.logID)));
