// What the routes that take API keys read besides the table and the access tokens' tenant
// (./access-tokens.ts): the request rate one key may use per minute (stage settings
// `apiKeys.requestsPerMinute`; locally high enough for the suites and the fuzzer, and a test stack
// that wants to meet it sets a low one in its environment).
import { defineConfig, positiveInt } from './define';

export const apiKeyConfig = /* @__PURE__ */ defineConfig(
  'apiKeys',
  {
    /** Requests one key may make per minute (clock-aligned windows). */
    API_KEY_RATE_LIMIT_PER_MINUTE: positiveInt,
  },
  (e) => ({ requestsPerMinute: e.API_KEY_RATE_LIMIT_PER_MINUTE }),
  {
    API_KEY_RATE_LIMIT_PER_MINUTE: '10000',
  },
);
