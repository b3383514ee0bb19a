// What the routes that take API keys read besides the table: the Auth0 tenant whose access tokens they
// verify themselves (they have no JWT authorizer on AWS, since it would refuse every key; the same
// issuer and audience as the authorizer's, from the stage settings), and the request rate one key may
// use per minute (stage settings `apiKeys.requestsPerMinute`; locally high enough for the suites and
// the fuzzer, and a test stack that wants to meet it sets a low one in its environment).
import * as z from '../zod';
import { defineConfig, nonEmpty, positiveInt } from './define';

export const apiKeyConfig = /* @__PURE__ */ defineConfig(
  'apiKeys',
  () =>
    z.pipe(
      z.object({
        /** The token issuer, `https://<tenant>/` (with its slash, as the tokens carry it). */
        AUTH0_ISSUER: z.url(),
        AUTH0_AUDIENCE: nonEmpty(),
        /** Requests one key may make per minute (clock-aligned windows). */
        API_KEY_RATE_LIMIT_PER_MINUTE: positiveInt(),
      }),
      z.transform((e) => ({ issuer: e.AUTH0_ISSUER, audience: e.AUTH0_AUDIENCE, requestsPerMinute: e.API_KEY_RATE_LIMIT_PER_MINUTE })),
    ),
  {
    AUTH0_ISSUER: 'http://127.0.0.1:4001/',
    AUTH0_AUDIENCE: 'https://api.fonella.local',
    API_KEY_RATE_LIMIT_PER_MINUTE: '10000',
  },
);
