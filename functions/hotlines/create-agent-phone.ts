// POST /v1/agent-phones — a new agent phone of the caller (or of a consenting member, for an organisation admin).
import { quotaConfig } from '../../shared/config/quotas';
import { agentPhonesRepository } from '../../shared/db/agent-phones';
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { createAgentPhone as create } from '../../shared/domain/agent-phones';
import { created } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { createAgentPhone } from '../../lib/routes/hotlines';

const deps = { read: itemsReader(table()), phones: agentPhonesRepository(table()), quotas: quotaConfig() };

export const handler = route(createAgentPhone, async ({ caller, query, body }) => created(await create(deps, caller, body, query.organization_id)));
