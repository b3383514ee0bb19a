// GET /v1/admin/users/{userId}/teardown — the progress of a user's deletion.
import { table } from '../../shared/db/client';
import { teardownsRepository } from '../../shared/db/teardowns';
import { teardownView } from '../../shared/domain/teardown-progress';
import { AppError } from '../../shared/errors';
import { ok } from '../../shared/http/reply';
import { getUserTeardown } from '../../lib/routes/admin';
import { route } from '../../shared/app/admin-route';

const teardowns = teardownsRepository(table());

export const handler = route(getUserTeardown, async ({ params }) => {
  const record = await teardowns.get(params.userId);
  if (!record) throw new AppError(404, 'teardown-not-found', 'Not found', 'The user has no teardown.');
  return ok(teardownView(record));
});
