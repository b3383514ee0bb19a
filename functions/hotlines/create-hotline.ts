// POST /v1/hotlines — a new hotline, provisioned by the stream.
import { quotaConfig } from '../../shared/config/quotas';
import { table } from '../../shared/db/client';
import { hotlinesRepository } from '../../shared/db/hotlines';
import { organizationsRepository } from '../../shared/db/organizations';
import { createHotline as run } from '../../shared/domain/hotlines';
import { created } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { createHotline } from '../../lib/routes/hotlines';

const deps = { organizations: organizationsRepository(table()), hotlines: hotlinesRepository(table()), quotas: quotaConfig() };

export const handler = route(createHotline, async ({ caller, body }) => created(await run(deps, caller, body)));
