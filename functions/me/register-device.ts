// POST /v1/me/devices — registers or refreshes the caller's device session after sign-in (a body
// without a user agent takes the request's User-Agent header); the
// sendSignInAlert worker emails the user when a new device joins an account that had one already.
import { table } from '../../shared/db/client';
import { devicesRepository } from '../../shared/db/devices';
import { registerDevice as register } from '../../shared/domain/devices';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { registerDevice } from '../../lib/routes/me';

const deps = { devices: devicesRepository(table()) };

export const handler = route(registerDevice, async ({ caller, body, headers }) =>
  ok(await register(deps, caller, body, { userAgent: headers['user-agent'] })),
);
