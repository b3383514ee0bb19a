// Stream worker: a pool number became free (POOL#<e164> / NUMBER INSERT, or MODIFY of its status to
// `free`): it goes to the user who has waited longest for one.
import { plansConfig } from '../../shared/config/plans';
import { table } from '../../shared/db/client';
import { poolAssignments, poolNumberOfKey } from '../../shared/db/pool';
import { usersRepository } from '../../shared/db/users';
import { assignPoolNumbers as assign } from '../../shared/domain/pool-waiting';
import { worker } from '../../shared/streams/worker';
import { assignPoolNumbers } from '../../lib/workers';

const deps = {
  users: usersRepository(table()),
  pool: poolAssignments(table()),
  plans: plansConfig().plans,
};

export const handler = worker(assignPoolNumbers, async ({ keys, newImage }) => {
  const { number } = poolNumberOfKey(keys);
  if (newImage?.status !== 'free') return;
  await assign(deps, number);
});
