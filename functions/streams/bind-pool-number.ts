// Stream worker: a new pool line (USER#…/INTEGRATION#POOL INSERT) is bound in Vapi: the number on the
// shared trunk's credential, attached to the user's assistant.
import { assistantConfig } from '../../shared/config/assistant';
import { table } from '../../shared/db/client';
import { poolLineIdOfKey, poolLinesRepository } from '../../shared/db/pool-lines';
import { bindPoolNumber as bind } from '../../shared/domain/pool-line';
import { configuredVapi } from '../../shared/providers/vapi';
import { worker } from '../../shared/streams/worker';
import { bindPoolNumber } from '../../lib/workers';

const deps = {
  lines: poolLinesRepository(table()),
  vapi: configuredVapi(),
  credentialId: assistantConfig().poolCredentialId,
};

export const handler = worker(bindPoolNumber, async ({ keys }) => {
  await bind(deps, poolLineIdOfKey(keys).userId);
});
