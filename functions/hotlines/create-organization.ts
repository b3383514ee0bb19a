// POST /v1/organizations — a new organisation; the caller becomes its admin.
import { quotaConfig } from '../../shared/config/quotas';
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { organizationsRepository } from '../../shared/db/organizations';
import { createOrganization as create } from '../../shared/domain/organizations';
import { created } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { createOrganization } from '../../lib/routes/hotlines';

const deps = { organizations: organizationsRepository(table()), read: itemsReader(table()), quotas: quotaConfig() };

export const handler = route(createOrganization, async ({ caller, body }) => created(await create(deps, caller, body)));
