// POST /v1/me/api-keys — a new API key of the caller's, its token answered this once.
import { apiKeysRepository } from '../../shared/db/api-keys';
import { table } from '../../shared/db/client';
import { createApiKey as create } from '../../shared/domain/api-keys';
import { created } from '../../shared/http/reply';
import { createApiKey } from '../../lib/routes/me';
import { route } from '../../shared/app/key-route';

const deps = { keys: apiKeysRepository(table()) };

export const handler = route(createApiKey, async ({ caller, body }) => created(await create(deps, caller, body)));
