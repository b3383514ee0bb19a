// DELETE /v1/me/tools/{toolId} — detaches a custom tool from the assistant and deletes it.
import { toolDeps } from '../../shared/app/tools';
import { route } from '../../shared/app/key-route';
import { deleteTool as remove } from '../../shared/domain/tools';
import { noContent } from '../../shared/http/reply';
import { deleteTool } from '../../lib/routes/me-tools';

const deps = toolDeps();

export const handler = route(deleteTool, async ({ caller, params }) => {
  await remove(deps, caller.id, params.toolId);
  return noContent();
});
