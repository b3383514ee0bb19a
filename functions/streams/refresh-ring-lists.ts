// Stream worker: a hotline, member row or agent phone that changed whom hotlines ring refreshes the
// ring lists of the hotlines it touches (shared/domain/ring-lists.ts).
import { agentPhonesRepository } from '../../shared/db/agent-phones';
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { hotlineRingsRepository } from '../../shared/db/hotline-rings';
import { hotlinesRepository } from '../../shared/db/hotlines';
import { organizationsRepository } from '../../shared/db/organizations';
import { refreshRingLists as refresh } from '../../shared/domain/ring-lists';
import { worker } from '../../shared/streams/worker';
import { refreshRingLists } from '../../lib/workers';

const deps = {
  hotlines: hotlinesRepository(table()),
  rings: hotlineRingsRepository(table()),
  organizations: organizationsRepository(table()),
  phones: agentPhonesRepository(table()),
  read: itemsReader(table()),
};

export const handler = worker(refreshRingLists, async (row) => {
  await refresh(deps, row);
});
