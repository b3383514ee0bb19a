// GET /v1/me/api-keys — the caller's API keys, by prefix.
import { apiKeysRepository } from '../../shared/db/api-keys';
import { table } from '../../shared/db/client';
import { listApiKeys as list } from '../../shared/domain/api-keys';
import { ok } from '../../shared/http/reply';
import { listApiKeys } from '../../lib/routes/me';
import { route } from '../../shared/app/key-route';

const deps = { keys: apiKeysRepository(table()) };

export const handler = route(listApiKeys, async ({ caller }) => ok(await list(deps, caller.id)));
