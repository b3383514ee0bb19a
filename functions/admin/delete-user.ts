// DELETE /v1/admin/users/{userId} — an admin deletes a customer's account (and their team's).
import { table } from '../../shared/db/client';
import { teardownsRepository } from '../../shared/db/teardowns';
import { usersRepository } from '../../shared/db/users';
import { requestTeardown } from '../../shared/domain/teardown-request';
import { ForbiddenError } from '../../shared/errors';
import { accepted } from '../../shared/http/reply';
import { configuredDirectory } from '../../shared/providers/auth0';
import { deleteUser } from '../../lib/routes/admin';
import { route } from '../../shared/app/admin-route';

const deps = { teardowns: teardownsRepository(table()), users: usersRepository(table()), directory: configuredDirectory() };

export const handler = route(deleteUser, async ({ caller, params }) => {
  if (params.userId === caller.id) throw new ForbiddenError('Delete your own account with DELETE /v1/me.', 'own-account');
  const view = await requestTeardown(deps, { userId: params.userId }, { kind: 'admin', adminId: caller.id });
  return accepted(view, { location: `/v1/admin/users/${encodeURIComponent(params.userId)}/teardown` });
});
