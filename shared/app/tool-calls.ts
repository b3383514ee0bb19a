// The composition of the tool calls on the Vapi webhook (the tool routes': ./tools.ts): the table, the
// signing key, the Standard Webhooks signature and the guarded fetch, with the tools' URL policy.
import { retentionConfig } from '../config/retention';
import { toolConfig } from '../config/tools';
import { signingKeyRing } from '../crypto/envelope';
import { signatureHeaders } from '../crypto/standard-webhooks';
import { table } from '../db/client';
import { toolCallsRepository } from '../db/tool-calls';
import { toolsRepository, type ToolRow } from '../db/tools';
import { usersRepository } from '../db/users';
import type { ToolCallDeps } from '../domain/tool-calls';
import { secretContext } from '../domain/tools';
import { guardedPost } from '../net/guarded-fetch';
import { toolUrlPolicy } from './tools';

/** How many opened secrets an instance keeps. */
const OPENED_SECRETS_KEPT = 1000;

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
    users: usersRepository(table()),
    callRetention: retentionConfig().calls,
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
