// PUT /v1/me/tools/{toolId} — replaces a custom tool, at Vapi and in the table.
import { toolDeps } from '../../shared/app/tools';
import { route } from '../../shared/app/key-route';
import { updateTool as update } from '../../shared/domain/tools';
import { ok } from '../../shared/http/reply';
import { updateTool } from '../../lib/routes/me-tools';

const deps = toolDeps();

export const handler = route(updateTool, async ({ caller, params, body }) => ok(await update(deps, caller.id, params.toolId, body)));
