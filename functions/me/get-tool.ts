// GET /v1/me/tools/{toolId} — one of the caller's custom tools.
import { route } from '../../shared/app/key-route';
import { table } from '../../shared/db/client';
import { toolsRepository } from '../../shared/db/tools';
import { getTool as get } from '../../shared/domain/tools';
import { ok } from '../../shared/http/reply';
import { getTool } from '../../lib/routes/me-tools';

const deps = { tools: toolsRepository(table()) };

export const handler = route(getTool, async ({ caller, params }) => ok(await get(deps, caller.id, params.toolId)));
