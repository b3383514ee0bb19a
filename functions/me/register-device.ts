// POST /v1/me/devices — registers or refreshes the caller's device session after sign-in (a body
// without a user agent takes the request's User-Agent header), keeping at most the stage's number of
// devices per user; the sendSignInAlert worker emails the user when a new device joins an account
// that had one already.
import { deviceConfig } from '../../shared/config/devices';
import { table } from '../../shared/db/client';
import { devicesRepository } from '../../shared/db/devices';
import { registerDevice as register } from '../../shared/domain/devices';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { registerDevice } from '../../lib/routes/me';

const deps = { devices: devicesRepository(table()), maxDevicesPerUser: deviceConfig().maxPerUser };

export const handler = route(registerDevice, async ({ caller, body, headers }) =>
  ok(await register(deps, caller, body, { userAgent: headers['user-agent'] })),
);
