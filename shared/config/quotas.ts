// Quotas on the hotline service's costly creations: each organisation brings a jambonz carrier and
// gateway, each hotline a jambonz application and a number, each agent phone a line that hotlines
// ring. How many organisations one user may create, how many hotlines one organisation may have and
// how many agent phones one user may own. The counts live in the table (shared/db/quotas.ts), taken
// in the same transaction as the creation. On a deployed stage CDK sets the variables from the
// `fonella` context (lib/settings.ts `quotas`); locally the defaults are high enough for the test
// suites, the fuzzer and the bench, and a test stack that wants to meet a quota sets a low one in its
// environment.
import * as z from '../zod';
import { defineConfig, positiveInt } from './define';

export const quotaConfig = /* @__PURE__ */ defineConfig(
  'quotas',
  () =>
    z.pipe(
      z.object({
        QUOTA_ORGANIZATIONS_PER_USER: positiveInt(),
        QUOTA_HOTLINES_PER_ORGANIZATION: positiveInt(),
        QUOTA_AGENT_PHONES_PER_USER: positiveInt(),
      }),
      z.transform((e) => ({
        organizationsPerUser: e.QUOTA_ORGANIZATIONS_PER_USER,
        hotlinesPerOrganization: e.QUOTA_HOTLINES_PER_ORGANIZATION,
        agentPhonesPerUser: e.QUOTA_AGENT_PHONES_PER_USER,
      })),
    ),
  {
    QUOTA_ORGANIZATIONS_PER_USER: '10000',
    QUOTA_HOTLINES_PER_ORGANIZATION: '10000',
    QUOTA_AGENT_PHONES_PER_USER: '10000',
  },
);

export type QuotaConfig = ReturnType<typeof quotaConfig>;
