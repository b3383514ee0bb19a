// PUT /v1/hotlines/{hotlineID} — change (or pause) a hotline.
import { table } from '../../shared/db/client';
import { hotlinesRepository } from '../../shared/db/hotlines';
import { organizationsRepository } from '../../shared/db/organizations';
import { updateHotline as run } from '../../shared/domain/hotlines';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { updateHotline } from '../../lib/routes/hotlines';

const deps = { organizations: organizationsRepository(table()), hotlines: hotlinesRepository(table()) };

export const handler = route(updateHotline, async ({ caller, body, params }) => ok(await run(deps, caller, params.hotlineID, body)));
