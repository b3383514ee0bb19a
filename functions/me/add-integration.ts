// POST /v1/me/integrations — connects a phone line (a number of Fonella's Sipgate account, or the
// caller's own SIP trunk) to the caller's assistant; undone entirely on any failure. A trunk's gateway
// is checked against the address policy, its name resolved through the system's resolver.
import { addressPolicyConfig } from '../../shared/config/addresses';
import { assistantConfig } from '../../shared/config/assistant';
import { table } from '../../shared/db/client';
import { integrationsRepository } from '../../shared/db/integrations';
import { usersRepository } from '../../shared/db/users';
import { addIntegration as add } from '../../shared/domain/integrations';
import { created } from '../../shared/http/reply';
import { resolveWithDns } from '../../shared/net/public-address';
import { configuredSipgate, sipgateConfig } from '../../shared/providers/sipgate';
import { configuredVapi } from '../../shared/providers/vapi';
import { addIntegration } from '../../lib/routes/me';
import { route } from '../../shared/app/route';

const sipgate = sipgateConfig();
const deps = {
  users: usersRepository(table()),
  lines: integrationsRepository(table()),
  vapi: configuredVapi(),
  sipgate: configuredSipgate(),
  sipgateAccount: { userId: sipgate.userId, trunkDeviceId: sipgate.trunkDeviceId },
  poolCredentialId: assistantConfig().poolCredentialId,
  gateways: { resolve: resolveWithDns, ...addressPolicyConfig() },
};

export const handler = route(addIntegration, async ({ caller, body }) => created(await add(deps, caller, body)));
