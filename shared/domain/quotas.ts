// The quotas (the hotline service's, shared/config/quotas.ts; webhook endpoints, shared/config/outbound-webhooks.ts): a creation over one is refused with 409 and
// a problem type naming the quota, and writes nothing (the count is taken in the creation's own
// transaction, shared/db/quotas.ts).
import type { QuotaName } from '../db/quotas';
import { ConflictError } from '../errors';

export const QUOTA_SLUGS: Record<QuotaName, string> = {
  organizations: 'quota-organizations',
  hotlines: 'quota-hotlines',
  agentPhones: 'quota-agent-phones',
  webhooks: 'quota-webhooks',
  apiKeys: 'quota-api-keys',
};

const WHAT: Record<QuotaName, (limit: number) => string> = {
  organizations: (n) => `A user may create ${n} organisation${n === 1 ? '' : 's'}; this one would be more.`,
  hotlines: (n) => `An organisation may have ${n} hotline${n === 1 ? '' : 's'}; this one would be more.`,
  agentPhones: (n) => `A user may have ${n} agent phone${n === 1 ? '' : 's'}; this one would be more.`,
  webhooks: (n) => `An account may have ${n} webhook endpoint${n === 1 ? '' : 's'}; this one would be more. Delete one first.`,
  apiKeys: (n) => `An account may hold ${n} API key${n === 1 ? '' : 's'}; this one would be more. Delete one first.`,
};

export class QuotaExceededError extends ConflictError {
  constructor(quota: QuotaName, limit: number) {
    super(WHAT[quota](limit), QUOTA_SLUGS[quota]);
  }
}
