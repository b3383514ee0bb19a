// POST /v1/organizations/sip-account — the organisation's jambonz carrier and SIP gateway.
import { hotlineConfig } from '../../shared/config/hotlines';
import { table } from '../../shared/db/client';
import { organizationsRepository } from '../../shared/db/organizations';
import { createSipAccount as create } from '../../shared/domain/hotlines';
import { created } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { configuredJambonz } from '../../shared/providers/jambonz';
import { createSipAccount } from '../../lib/routes/hotlines';

const deps = { organizations: organizationsRepository(table()), jambonz: configuredJambonz(), gateway: hotlineConfig().sipGateway };

export const handler = route(createSipAccount, async ({ caller, body }) => created(await create(deps, caller, body)));
