// PUT /v1/hotlines/{hotlineID} — change (or pause) a hotline.
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { hotlinesRepository } from '../../shared/db/hotlines';
import { updateHotline as run } from '../../shared/domain/hotlines';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { updateHotline } from '../../lib/routes/hotlines';

const deps = { hotlines: hotlinesRepository(table()), read: itemsReader(table()) };

export const handler = route(updateHotline, async ({ caller, body, params }) => ok(await run(deps, caller, params.hotlineID, body)));
