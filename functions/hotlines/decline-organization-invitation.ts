// POST /v1/me/organization-invitations/{id}/decline — the caller declines their invitation to an organisation.
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { organizationsRepository } from '../../shared/db/organizations';
import { declineInvitation } from '../../shared/domain/organizations';
import { noContent } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { declineOrganizationInvitation } from '../../lib/routes/hotlines';

const deps = { organizations: organizationsRepository(table()), read: itemsReader(table()) };

export const handler = route(declineOrganizationInvitation, async ({ caller, params }) => {
  await declineInvitation(deps, caller, params.id);
  return noContent();
});
