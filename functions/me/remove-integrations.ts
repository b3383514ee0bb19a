// DELETE /v1/me/integrations — removes the caller's pool number, Sipgate line and external trunk (or,
// by query, one of the two lines); a retry after a failure finishes what is left.
import { assistantConfig } from '../../shared/config/assistant';
import { table } from '../../shared/db/client';
import { integrationsRepository } from '../../shared/db/integrations';
import { usersRepository } from '../../shared/db/users';
import { removeIntegrations as remove } from '../../shared/domain/integrations';
import { noContent } from '../../shared/http/reply';
import { configuredSipgate, sipgateConfig } from '../../shared/providers/sipgate';
import { configuredVapi } from '../../shared/providers/vapi';
import { removeIntegrations } from '../../lib/routes/me';
import { route } from '../../shared/app/route';

const sipgate = sipgateConfig();
const deps = {
  users: usersRepository(table()),
  lines: integrationsRepository(table()),
  vapi: configuredVapi(),
  sipgate: configuredSipgate(),
  sipgateAccount: { userId: sipgate.userId, trunkDeviceId: sipgate.trunkDeviceId },
  poolCredentialId: assistantConfig().poolCredentialId,
};

export const handler = route(removeIntegrations, async ({ caller, query }) => {
  await remove(deps, caller, { externalOnly: query.externalOnly !== undefined, fonellaSipgateOnly: query.fonellaSipgateOnly !== undefined });
  return noContent();
});
