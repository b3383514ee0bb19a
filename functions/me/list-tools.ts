// GET /v1/me/tools — the caller's custom tools.
import { route } from '../../shared/app/key-route';
import { table } from '../../shared/db/client';
import { toolsRepository } from '../../shared/db/tools';
import { listTools as list } from '../../shared/domain/tools';
import { ok } from '../../shared/http/reply';
import { listTools } from '../../lib/routes/me-tools';

const deps = { tools: toolsRepository(table()) };

export const handler = route(listTools, async ({ caller }) => ok(await list(deps, caller.id)));
