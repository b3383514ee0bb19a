// Quotas on the hotline service's costly creations: each organisation brings a jambonz carrier and
// gateway, each hotline a jambonz application and a number, each agent phone a line that hotlines
// ring. How many organisations one user may create, how many hotlines one organisation may have and
// how many agent phones one user may own. The counts live in the table (shared/db/quotas.ts), taken
// in the same transaction as the creation. On a deployed stage CDK sets the variables from the
// `fonella` context (lib/settings.ts `quotas`). The local defaults are a stage's defaults
// (test/infra/deploy-env.test.ts holds them equal); the test suites and the bench set high quotas
// explicitly (lib/local/limits.ts `SUITE_LIMITS`), and a suite that wants to meet one sets it low.
import { defineConfig, positiveInt } from './define';

export const quotaConfig = /* @__PURE__ */ defineConfig(
  'quotas',
  {
    QUOTA_ORGANIZATIONS_PER_USER: positiveInt,
    QUOTA_HOTLINES_PER_ORGANIZATION: positiveInt,
    QUOTA_AGENT_PHONES_PER_USER: positiveInt,
  },
  (e) => ({
    organizationsPerUser: e.QUOTA_ORGANIZATIONS_PER_USER,
    hotlinesPerOrganization: e.QUOTA_HOTLINES_PER_ORGANIZATION,
    agentPhonesPerUser: e.QUOTA_AGENT_PHONES_PER_USER,
  }),
  {
    QUOTA_ORGANIZATIONS_PER_USER: '3',
    QUOTA_HOTLINES_PER_ORGANIZATION: '10',
    QUOTA_AGENT_PHONES_PER_USER: '10',
  },
);

export type QuotaConfig = ReturnType<typeof quotaConfig>;
