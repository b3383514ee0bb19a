// Custom tools (POST /v1/me/tools...): how many an account may have, and the bounds of a tool's
// timeout, the time the caller waits in silence while the customer's URL answers. On a deployed stage
// CDK sets them from the `fonella` context (lib/settings.ts `tools`); locally they have defaults.
//
// Local only (LOCAL_ONLY_ENV in lib/settings.ts; a deployed function that has it stops at cold start):
// TOOL_ALLOW_HTTP_LOOPBACK takes `http://127.0.0.1:<port>/...` tool URLs (a receiver on this machine),
// on by default locally. Every other URL must be `https` on a public host (shared/net/guarded-fetch.ts).
import { defineConfig, flag, positiveInt, refuse, stage, withDefault } from './define';

/**
 * The hard bounds of the stage settings: the Vapi webhook's function (lib/routes/webhooks.ts
 * `timeoutSeconds`, 30 s) outlasts the longest with room for our own work.
 */
export const TOOL_TIMEOUT_LIMITS = { min: 1, max: 20 } as const;

export const toolConfig = /* @__PURE__ */ defineConfig(
  'tools',
  {
    STAGE: withDefault(stage, 'local'),
    TOOLS_PER_USER: positiveInt,
    TOOL_TIMEOUT_MIN_SECONDS: positiveInt,
    TOOL_TIMEOUT_MAX_SECONDS: positiveInt,
    TOOL_TIMEOUT_DEFAULT_SECONDS: positiveInt,
    TOOL_ALLOW_HTTP_LOOPBACK: flag,
  },
  (e) => {
    if (e.TOOL_ALLOW_HTTP_LOOPBACK && e.STAGE !== 'local' && e.STAGE !== 'test') refuse('TOOL_ALLOW_HTTP_LOOPBACK is for the local stack only');
    const [min, max, fallback] = [e.TOOL_TIMEOUT_MIN_SECONDS, e.TOOL_TIMEOUT_MAX_SECONDS, e.TOOL_TIMEOUT_DEFAULT_SECONDS];
    if (min < TOOL_TIMEOUT_LIMITS.min || max > TOOL_TIMEOUT_LIMITS.max || !(min <= fallback && fallback <= max)) {
      refuse(`tool timeouts must satisfy ${TOOL_TIMEOUT_LIMITS.min} <= TOOL_TIMEOUT_MIN_SECONDS <= TOOL_TIMEOUT_DEFAULT_SECONDS <= TOOL_TIMEOUT_MAX_SECONDS <= ${TOOL_TIMEOUT_LIMITS.max}`);
    }
    return { perUser: e.TOOLS_PER_USER, timeoutSeconds: { min, max, default: fallback }, allowHttpLoopback: e.TOOL_ALLOW_HTTP_LOOPBACK };
  },
  {
    TOOLS_PER_USER: '20',
    TOOL_TIMEOUT_MIN_SECONDS: '1',
    TOOL_TIMEOUT_MAX_SECONDS: '20',
    TOOL_TIMEOUT_DEFAULT_SECONDS: '5',
    TOOL_ALLOW_HTTP_LOOPBACK: '1',
  },
);

export type ToolConfig = ReturnType<typeof toolConfig>;
