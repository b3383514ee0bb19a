// The composition of the custom tools: the ports of the tool routes (/v1/me/tools...) and of the tool
// calls on the Vapi webhook, built once per cold start from the function's configuration. The URL
// policy is the same at a tool's creation, its change and every call: `https` on a public host, as
// resolved by DNS now (shared/net/guarded-fetch.ts); the local stack may also take
// `http://127.0.0.1:<port>` (TOOL_ALLOW_HTTP_LOOPBACK, shared/config/tools.ts).
import { assistantConfig } from '../config/assistant';
import { toolConfig } from '../config/tools';
import { webhookConfig } from '../config/webhooks';
import { signingKeyRing } from '../crypto/envelope';
import { maskSecret, newSigningSecret, signatureHeaders } from '../crypto/standard-webhooks';
import { assistantsRepository } from '../db/assistants';
import { table } from '../db/client';
import { toolCallsRepository } from '../db/tool-calls';
import { toolsRepository, type ToolRow } from '../db/tools';
import type { ToolCallDeps } from '../domain/tool-calls';
import { secretContext, type ToolDeps } from '../domain/tools';
import { checkUrl, guardedPost, type GuardedFetchPolicy } from '../net/guarded-fetch';
import { resolveWithDns, type ResolveHost } from '../net/public-address';
import { configuredVapi, vapiConfig } from '../providers/vapi';

/** How many opened secrets an instance keeps. */
const OPENED_SECRETS_KEPT = 1000;

/** The URL policy of tools, with its resolver. */
export function toolUrlPolicy(): GuardedFetchPolicy & { resolve: ResolveHost } {
  return { resolve: resolveWithDns, allowHttpLoopback: toolConfig().allowHttpLoopback };
}

/** What the tool routes take: the table, Vapi, the signing key, the URL policy, the stage's bounds. */
export function toolDeps(): ToolDeps {
  const policy = toolUrlPolicy();
  return {
    assistants: assistantsRepository(table()),
    tools: toolsRepository(table()),
    vapi: configuredVapi(),
    keys: signingKeyRing(),
    newSecret: newSigningSecret,
    maskSecret,
    urlRefusal: async (url) => {
      const check = await checkUrl(url, policy);
      return check.ok ? undefined : check.reason;
    },
    config: toolConfig(),
    prompts: assistantConfig().prompts,
    server: { url: vapiConfig().serverUrl, secret: webhookConfig().vapiSecret },
  };
}

/**
 * What the webhook's tool calls take. A tool's secret is opened once per instance (KMS) and kept,
 * under the sealed value it came from: a warm call signs without the key service.
 */
export function toolCallDeps(): ToolCallDeps {
  const policy = toolUrlPolicy();
  const keys = signingKeyRing();
  const opened = new Map<string, Promise<string>>();
  return {
    tools: toolsRepository(table()),
    records: toolCallsRepository(table()),
    secretOf: (userId: string, tool: ToolRow) => {
      const id = `${tool.toolId} ${tool.secret.wrappedKey}`;
      let secret = opened.get(id);
      if (!secret) {
        secret = keys.open(tool.secret, secretContext(userId, tool.toolId)).then((f) => f.secret!);
        secret.catch(() => opened.delete(id));
        // Bounded: the oldest entry goes first (a Map keeps insertion order).
        if (opened.size >= OPENED_SECRETS_KEPT) opened.delete(opened.keys().next().value!);
        opened.set(id, secret);
      }
      return secret;
    },
    sign: (input) => ({ ...signatureHeaders(input) }),
    post: (req, opts) => guardedPost(req, { ...policy, ...opts }),
    maxTimeoutSeconds: toolConfig().timeoutSeconds.max,
  };
}
