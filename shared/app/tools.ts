// The composition of the custom tools: the ports of the tool routes (/v1/me/tools...), built once per
// cold start from the function's configuration (the tool calls on the Vapi webhook: ./tool-calls.ts). The URL
// policy is the same at a tool's creation, its change and every call: `https` on a public host, as
// resolved by DNS now (shared/net/guarded-fetch.ts); the local stack may also take
// `http://127.0.0.1:<port>` (TOOL_ALLOW_HTTP_LOOPBACK, shared/config/tools.ts).
import { assistantConfig } from '../config/assistant';
import { toolConfig } from '../config/tools';
import { webhookConfig } from '../config/webhooks';
import { signingKeyRing } from '../crypto/envelope';
import { maskSecret, newSigningSecret } from '../crypto/signing-secrets';
import { assistantsRepository } from '../db/assistants';
import { table } from '../db/client';
import { toolsRepository } from '../db/tools';
import type { ToolCreationDeps, ToolDeps } from '../domain/tools';
import { checkUrl, type GuardedFetchPolicy } from '../net/guarded-fetch';
import { resolveWithDns, type ResolveHost } from '../net/public-address';
import { configuredVapi, vapiConfig } from '../providers/vapi';

/** The URL policy of tools, with its resolver. */
export function toolUrlPolicy(): GuardedFetchPolicy & { resolve: ResolveHost } {
  return { resolve: resolveWithDns, allowHttpLoopback: toolConfig().allowHttpLoopback };
}

/** What the tool routes that change tools take: the table, Vapi, the URL policy, the stage's bounds. */
export function toolDeps(): ToolDeps {
  const policy = toolUrlPolicy();
  return {
    assistants: assistantsRepository(table()),
    tools: toolsRepository(table()),
    vapi: configuredVapi(),
    urlRefusal: async (url) => {
      const check = await checkUrl(url, policy);
      return check.ok ? undefined : check.reason;
    },
    config: toolConfig(),
    prompts: assistantConfig().prompts,
    server: { url: vapiConfig().serverUrl, secret: webhookConfig().vapiSecret },
  };
}

/** What a new tool takes besides (only createTool's bundle carries the key service's client). */
export function toolCreationDeps(): ToolCreationDeps {
  return { ...toolDeps(), keys: signingKeyRing(), newSecret: newSigningSecret, maskSecret };
}
