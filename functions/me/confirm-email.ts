// POST /v1/me/email-confirmations — the caller hands in the token of the link emailed to their new
// address; the pending address becomes the verified one in use.
import { retentionConfig } from '../../shared/config/retention';
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { usersRepository } from '../../shared/db/users';
import { confirmEmail as confirm } from '../../shared/domain/settings';
import { ok } from '../../shared/http/reply';
import { confirmEmail } from '../../lib/routes/me';
import { route } from '../../shared/app/route';

const deps = { users: usersRepository(table()), read: itemsReader(table()), callRetention: retentionConfig().calls };

export const handler = route(confirmEmail, async ({ caller, body }) => ok(await confirm(deps, caller, body.token)));
