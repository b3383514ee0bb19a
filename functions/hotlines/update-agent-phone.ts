// PUT /v1/agent-phones/{id} — change an agent phone (same rule as creating one).
import { agentPhonesRepository } from '../../shared/db/agent-phones';
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { updateAgentPhone as update } from '../../shared/domain/agent-phones';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { updateAgentPhone } from '../../lib/routes/hotlines';

const deps = { read: itemsReader(table()), phones: agentPhonesRepository(table()) };

export const handler = route(updateAgentPhone, async ({ caller, params, query, body }) => ok(await update(deps, caller, params.id, body, query.organization_id)));
