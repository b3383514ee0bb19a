// PUT /v1/me/organization-access — the caller's consent, per organisation, that its admins act on their resources.
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { organizationsRepository } from '../../shared/db/organizations';
import { setOrganizationAccess as set } from '../../shared/domain/organizations';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { setOrganizationAccess } from '../../lib/routes/hotlines';

const deps = { organizations: organizationsRepository(table()), read: itemsReader(table()) };

export const handler = route(setOrganizationAccess, async ({ caller, body }) => ok(await set(deps, caller, body)));
