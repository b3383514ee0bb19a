// The limits and quotas the test suites and the bench run with. `npm start` runs with a stage's
// defaults (shared/config: rate-limits.ts, devices.ts, quotas.ts), so a person meets the 429 a stage
// answers; the suites and the bench send far more from one address and one user than any stage allows,
// so they start their stacks with these (StackOptions `env`), and a suite that wants to meet a limit
// sets it low in its environment, which wins.
export const SUITE_LIMITS: Record<string, string> = {
  RATE_LIMIT_CONTACT_PER_HOUR: '10000',
  RATE_LIMIT_CONTACT_WITHOUT_TOKEN_PER_HOUR: '10000',
  RATE_LIMIT_CONTACT_WITHOUT_TOKEN_PER_EMAIL_PER_DAY: '10000',
  RATE_LIMIT_SUPPORT_TICKET_PER_HOUR: '10000',
  RATE_LIMIT_CALLBACK_PER_HOUR: '10000',
  RATE_LIMIT_CALLBACK_PER_NUMBER_PER_DAY: '10000',
  RATE_LIMIT_CALL_REPORTS_PER_CALL_PER_DAY: '10000',
  RATE_LIMIT_CALL_REPORTS_PER_USER_PER_DAY: '10000',
  RATE_LIMIT_EMAIL_CONFIRMATIONS_PER_USER_PER_DAY: '10000',
  DEVICES_PER_USER_MAX: '1000',
  QUOTA_ORGANIZATIONS_PER_USER: '10000',
  QUOTA_HOTLINES_PER_ORGANIZATION: '10000',
  QUOTA_AGENT_PHONES_PER_USER: '10000',
};
