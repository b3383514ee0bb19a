// Stream worker: a new partner (PARTNER#<id> / PROFILE INSERT) gets their invite link by email, once.
import { appConfig } from '../../shared/config/app';
import { table } from '../../shared/db/client';
import { partnerIdOfKey, partnersRepository } from '../../shared/db/partners';
import { sendPartnerInvite as send } from '../../shared/domain/partners';
import { logger } from '../../shared/observability/logger';
import { configuredMailer } from '../../shared/providers/mailgun';
import { worker } from '../../shared/streams/worker';
import { sendPartnerInvite } from '../../lib/workers';

const deps = {
  partners: partnersRepository(table()),
  mailer: configuredMailer(),
  partnerPortalUrl: appConfig().partnerPortalUrl,
};

export const handler = worker(sendPartnerInvite, async ({ keys }) => {
  const { partnerId } = partnerIdOfKey(keys);
  const outcome = await send(deps, partnerId);
  logger.info('partner invite', { partnerId, outcome });
});
