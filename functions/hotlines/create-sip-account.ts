// POST /v1/organizations/sip-account — the organisation's jambonz carrier and SIP gateway: 201
// `{ exists: true }` when this request made it, 200 with the same body when it was there already.
import { hotlineConfig } from '../../shared/config/hotlines';
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { organizationsRepository } from '../../shared/db/organizations';
import { createSipAccount as create } from '../../shared/domain/hotlines';
import { created, ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { configuredJambonz } from '../../shared/providers/jambonz';
import { createSipAccount } from '../../lib/routes/hotlines';

const deps = { organizations: organizationsRepository(table()), read: itemsReader(table()), jambonz: configuredJambonz(), gateway: hotlineConfig().sipGateway };

export const handler = route(createSipAccount, async ({ caller, body }) => {
  const { created: made, ...answer } = await create(deps, caller, body);
  return made ? created(answer) : ok(answer);
});
