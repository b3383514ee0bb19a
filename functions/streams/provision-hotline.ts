// Stream worker: a hotline whose status became `created` gets its local number from the hotline pool
// (or waits for one) and its jambonz application.
import { hotlineConfig } from '../../shared/config/hotlines';
import { table } from '../../shared/db/client';
import { hotlineNumbersRepository } from '../../shared/db/hotline-numbers';
import { hotlineIdOfKey, hotlinesRepository } from '../../shared/db/hotlines';
import { organizationsRepository } from '../../shared/db/organizations';
import { provisionHotline as provision } from '../../shared/domain/hotline-provisioning';
import { configuredJambonz } from '../../shared/providers/jambonz';
import { worker } from '../../shared/streams/worker';
import { provisionHotline } from '../../lib/workers';

const deps = {
  hotlines: hotlinesRepository(table()),
  organizations: organizationsRepository(table()),
  numbers: hotlineNumbersRepository(table()),
  jambonz: configuredJambonz(),
  hookBaseUrl: hotlineConfig().hookBaseUrl,
};

export const handler = worker(provisionHotline, async ({ keys, newImage }) => {
  // A MODIFY to `failed` is not work (the failing record itself is retried by the stream), nor one to
  // `waiting-for-number` (an import of a number for the area puts the hotline back to `created`).
  if (newImage?.status !== 'created') return;
  await provision(deps, hotlineIdOfKey(keys).hotlineId);
});
