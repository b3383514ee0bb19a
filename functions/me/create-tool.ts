// POST /v1/me/tools — a custom tool, attached to the caller's assistant; its signing secret answered once.
import { toolCreationDeps } from '../../shared/app/tools';
import { route } from '../../shared/app/key-route';
import { createTool as create } from '../../shared/domain/tools';
import { created } from '../../shared/http/reply';
import { createTool } from '../../lib/routes/me-tools';

const deps = toolCreationDeps();

export const handler = route(createTool, async ({ caller, body }) => created(await create(deps, caller.id, body)));
