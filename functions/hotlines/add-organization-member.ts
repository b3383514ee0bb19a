// POST /v1/organizations/{id}/members — an admin invites a member by Auth0 user id.
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { organizationsRepository } from '../../shared/db/organizations';
import { inviteMember } from '../../shared/domain/organizations';
import { created } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { addOrganizationMember } from '../../lib/routes/hotlines';

const deps = { organizations: organizationsRepository(table()), read: itemsReader(table()) };

export const handler = route(addOrganizationMember, async ({ caller, params, body }) =>
  created(await inviteMember(deps, caller, params.id, body)),
);
