// The hotline hooks' ports and settings, wired once per function from its config (both hooks use the same).
import { hotlineConfig } from '../config/hotlines';
import { agentPhonesRepository } from '../db/agent-phones';
import type { TableRef } from '../db/client';
import { hotlineChannelsRepository } from '../db/hotline-channels';
import { hotlinesRepository } from '../db/hotlines';
import { organizationsRepository } from '../db/organizations';
import type { CallDeps } from '../domain/hotline-calls';

export function hotlineCallDeps(t: TableRef): CallDeps {
  const c = hotlineConfig();
  return {
    hotlines: hotlinesRepository(t),
    channels: hotlineChannelsRepository(t),
    organizations: organizationsRepository(t),
    phones: agentPhonesRepository(t),
    hookBaseUrl: c.hookBaseUrl,
    dialTimeoutSeconds: c.dialTimeoutSeconds,
    pausedText: c.pausedText,
    pricePerMinute: c.pricePerMinute,
    channelLeaseSeconds: c.channelLeaseSeconds,
  };
}
