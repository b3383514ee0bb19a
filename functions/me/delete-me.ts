// DELETE /v1/me — the caller deletes their account: the teardown record is written, a worker does the rest.
import { table } from '../../shared/db/client';
import { teardownsRepository } from '../../shared/db/teardowns';
import { usersRepository } from '../../shared/db/users';
import { requestTeardown } from '../../shared/domain/teardown-request';
import { accepted } from '../../shared/http/reply';
import { deleteMe } from '../../lib/routes/me';
import { route } from '../../shared/app/route';

const deps = { teardowns: teardownsRepository(table()), users: usersRepository(table()) };

export const handler = route(deleteMe, async ({ caller }) =>
  accepted(await requestTeardown(deps, { userId: caller.id, email: caller.email }, { kind: 'self' })),
);
