// POST /v1/me/organization-invitations/{id}/accept — the caller accepts their invitation to an organisation.
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { organizationsRepository } from '../../shared/db/organizations';
import { acceptInvitation } from '../../shared/domain/organizations';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { acceptOrganizationInvitation } from '../../lib/routes/hotlines';

const deps = { organizations: organizationsRepository(table()), read: itemsReader(table()) };

export const handler = route(acceptOrganizationInvitation, async ({ caller, params }) => ok(await acceptInvitation(deps, caller, params.id)));
