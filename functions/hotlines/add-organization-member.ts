// POST /v1/organizations/{id}/members — an admin invites a member by Auth0 user id.
import { table } from '../../shared/db/client';
import { organizationsRepository } from '../../shared/db/organizations';
import { idFromPath } from '../../shared/domain/hotline-access';
import { inviteMember } from '../../shared/domain/organizations';
import { created } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { addOrganizationMember } from '../../lib/routes/hotlines';

const deps = { organizations: organizationsRepository(table()) };

export const handler = route(addOrganizationMember, async ({ caller, params, body }) =>
  created(await inviteMember(deps, caller, idFromPath(params.id, 'organisation'), body)),
);
