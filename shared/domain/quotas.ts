// The hotline service's quotas (shared/config/quotas.ts): a creation over one is refused with 409 and
// a problem type naming the quota, and writes nothing (the count is taken in the creation's own
// transaction, shared/db/quotas.ts).
import type { QuotaName } from '../db/quotas';
import { ConflictError } from '../errors';

export const QUOTA_SLUGS: Record<QuotaName, string> = {
  organizations: 'quota-organizations',
  hotlines: 'quota-hotlines',
  agentPhones: 'quota-agent-phones',
  apiKeys: 'quota-api-keys',
};

const WHAT: Record<QuotaName, (limit: number) => string> = {
  organizations: (n) => `A user may create ${n} organisation${n === 1 ? '' : 's'}; this one would be more.`,
  hotlines: (n) => `An organisation may have ${n} hotline${n === 1 ? '' : 's'}; this one would be more.`,
  agentPhones: (n) => `A user may have ${n} agent phone${n === 1 ? '' : 's'}; this one would be more.`,
  apiKeys: (n) => `An account may hold ${n} API key${n === 1 ? '' : 's'}; this one would be more. Delete one first.`,
};

export class QuotaExceededError extends ConflictError {
  constructor(quota: QuotaName, limit: number) {
    super(WHAT[quota](limit), QUOTA_SLUGS[quota]);
  }
}
