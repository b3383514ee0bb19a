// Stream worker: a new device session (USER#<sub> / DEVICE#<id> INSERT) on an account that already
// had a device gets the user a new-sign-in email, once, at a verified address (the settings', else
// Auth0's), and at most one per user within the stage's alert window.
import { deviceConfig } from '../../shared/config/devices';
import { table } from '../../shared/db/client';
import { deviceIdOfKey, devicesRepository } from '../../shared/db/devices';
import { usersRepository } from '../../shared/db/users';
import { sendSignInAlert as send } from '../../shared/domain/devices';
import { logger } from '../../shared/observability/logger';
import { configuredDirectory } from '../../shared/providers/auth0';
import { configuredMailer } from '../../shared/providers/mailgun';
import { worker } from '../../shared/streams/worker';
import { sendSignInAlert } from '../../lib/workers';

const deps = {
  devices: devicesRepository(table()),
  users: usersRepository(table()),
  directory: configuredDirectory(),
  mailer: configuredMailer(),
  alertWindowSeconds: deviceConfig().signInAlertWindowSeconds,
};

export const handler = worker(sendSignInAlert, async ({ keys }) => {
  const device = deviceIdOfKey(keys);
  const outcome = await send(deps, device);
  logger.info('new sign-in alert', { deviceId: device.deviceId, outcome });
});
