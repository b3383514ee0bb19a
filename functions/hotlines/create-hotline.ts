// POST /v1/hotlines — a new hotline, provisioned by the stream.
import { quotaConfig } from '../../shared/config/quotas';
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { hotlinesRepository } from '../../shared/db/hotlines';
import { createHotline as run } from '../../shared/domain/hotlines';
import { created } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { createHotline } from '../../lib/routes/hotlines';

const deps = { hotlines: hotlinesRepository(table()), read: itemsReader(table()), quotas: quotaConfig() };

export const handler = route(createHotline, async ({ caller, body }) => created(await run(deps, caller, body)));
