// DELETE /v1/me/api-keys/{keyId} — one of the caller's API keys, refused from the next request on.
import { apiKeysRepository } from '../../shared/db/api-keys';
import { table } from '../../shared/db/client';
import { deleteApiKey as remove } from '../../shared/domain/api-keys';
import { noContent } from '../../shared/http/reply';
import { deleteApiKey } from '../../lib/routes/me';
import { route } from '../../shared/app/key-route';

const deps = { keys: apiKeysRepository(table()) };

export const handler = route(deleteApiKey, async ({ caller, params }) => {
  await remove(deps, caller, params.keyId);
  return noContent();
});
