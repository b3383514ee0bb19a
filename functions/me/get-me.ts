// GET /v1/me — the caller's profile; the first call creates their settings row.
import { plansConfig } from '../../shared/config/plans';
import { retentionConfig } from '../../shared/config/retention';
import { table } from '../../shared/db/client';
import { usersRepository } from '../../shared/db/users';
import { loadProfile } from '../../shared/domain/profile';
import { ok } from '../../shared/http/reply';
import { getMe } from '../../lib/routes/me';
import { route } from '../../shared/app/route';

const deps = { users: usersRepository(table()), plans: plansConfig().plans, callRetention: retentionConfig().calls };

export const handler = route(getMe, async ({ caller }) => ok(await loadProfile(deps, caller)));
