// GET /v1/agent-phones — a user's agent phones (theirs, or a consenting member's for an organisation admin).
import { agentPhonesRepository } from '../../shared/db/agent-phones';
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { listAgentPhones as list } from '../../shared/domain/agent-phones';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { listAgentPhones } from '../../lib/routes/hotlines';

const deps = { read: itemsReader(table()), phones: agentPhonesRepository(table()) };

export const handler = route(listAgentPhones, async ({ caller, query }) => ok(await list(deps, caller, query)));
