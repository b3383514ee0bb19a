// PATCH /v1/me/settings — the caller changes their own name, email, time zone, email language or call
// retention (days kept, what of a call is stored: a new period re-dates the stored calls); one
// update on their settings row, which it creates when GET /v1/me has not yet. A new address waits for
// its confirmation link (the sendEmailConfirmation worker emails it), within a daily limit per user.
import { rateLimitConfig } from '../../shared/config/rate-limits';
import { retentionConfig } from '../../shared/config/retention';
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { rateLimitsRepository } from '../../shared/db/rate-limits';
import { usersRepository } from '../../shared/db/users';
import { updateSettings as update } from '../../shared/domain/settings';
import { ok } from '../../shared/http/reply';
import { updateSettings } from '../../lib/routes/me';
import { route } from '../../shared/app/route';

const deps = {
  users: usersRepository(table()),
  read: itemsReader(table()),
  rateLimits: rateLimitsRepository(table()),
  confirmationLimit: rateLimitConfig().emailConfirmation,
  callRetention: retentionConfig().calls,
};

export const handler = route(updateSettings, async ({ caller, body }) => ok(await update(deps, caller, body)));
