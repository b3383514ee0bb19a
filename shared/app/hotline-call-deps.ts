// The hotline hooks' ports and settings, wired once per function from its config (both hooks use the same).
import { hotlineConfig } from '../config/hotlines';
import { agentPhonesRepository } from '../db/agent-phones';
import type { TableRef } from '../db/client';
import { itemsReader } from '../db/get-items';
import { hotlineCallsRepository } from '../db/hotline-calls';
import { hotlineChannelsRepository } from '../db/hotline-channels';
import { hotlinesRepository } from '../db/hotlines';
import type { CallDeps } from '../domain/hotline-calls';

export function hotlineCallDeps(t: TableRef): CallDeps {
  const c = hotlineConfig();
  const hotlines = hotlinesRepository(t);
  return {
    hotlines,
    channels: hotlineChannelsRepository(t),
    calls: hotlineCallsRepository(t, hotlines),
    read: itemsReader(t),
    phones: agentPhonesRepository(t),
    hookBaseUrl: c.hookBaseUrl,
    dialTimeoutSeconds: c.dialTimeoutSeconds,
    pausedText: c.pausedText,
    pricePerMinute: c.pricePerMinute,
    channelLeaseSeconds: c.channelLeaseSeconds,
  };
}
