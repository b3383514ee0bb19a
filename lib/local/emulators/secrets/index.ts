// Emulator of the AWS Parameters and Secrets Lambda Extension's Secrets Manager endpoint, so the local
// stack and the tests run the loader Lambda runs (shared/config/secrets.ts):
//   GET /secretsmanager/get?secretId=<name or ARN>   header X-Aws-Parameters-Secrets-Token: <session token>
//   → 200 { ARN, Name, VersionId, SecretString, VersionStages, CreatedDate }, as GetSecretValue answers.
// A missing or wrong token answers 401; an unknown secret 400 with Secrets Manager's
// ResourceNotFoundException. An injected "error" fault answers as the extension does while the
// sandbox starts: 400 "not ready to serve traffic, please wait".
// The local stack stores its provider credentials here as the stage secret (LOCAL_SECRET_NAME).
// /_inspect lists the secrets' names and key names, never a value. A read changes no state: the
// reads (one per cold start) are counted by /_stats, like every emulator's requests.
import { randomUUID } from 'node:crypto';
import { Router, json, type EmulatorDefinition } from '../kit';

/** The local stage secret's name (PROVIDER_SECRET_NAME of the local functions). */
export const LOCAL_SECRET_NAME = 'fonella/local/providers';
/** The session token the local functions show (AWS_SESSION_TOKEN on Lambda). */
export const LOCAL_SESSION_TOKEN = 'local-session-token-0123456789';

const TOKEN_HEADER = 'x-aws-parameters-secrets-token';

interface StoredSecret {
  name: string;
  arn: string;
  versionId: string;
  createdAt: string;
  values: Record<string, string>;
}

export interface SecretsEmulator extends EmulatorDefinition {
  /** Stores (or replaces, as a new version) a secret of key/value pairs. */
  put(name: string, values: Record<string, string>): void;
}

export function createSecretsEmulator(opts: { token?: string; secrets?: Record<string, Record<string, string>> } = {}): SecretsEmulator {
  const token = opts.token ?? LOCAL_SESSION_TOKEN;
  const secrets = new Map<string, StoredSecret>();

  const put = (name: string, values: Record<string, string>) => {
    secrets.set(name, {
      name,
      arn: `arn:aws:secretsmanager:eu-central-1:000000000000:secret:${name}-LOCAL0`,
      versionId: randomUUID(),
      createdAt: new Date().toISOString(),
      values: { ...values },
    });
  };
  for (const [name, values] of Object.entries(opts.secrets ?? {})) put(name, values);

  const routes = new Router().get('/secretsmanager/get', ({ url }) => {
    const secretId = url.searchParams.get('secretId') ?? '';
    const secret = secrets.get(secretId) ?? [...secrets.values()].find((s) => s.arn === secretId);
    if (!secretId) return json({ __type: 'InvalidParameterException', message: 'secretId is required' }, 400);
    if (!secret) return json({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }, 400);
    return json({
      ARN: secret.arn,
      Name: secret.name,
      VersionId: secret.versionId,
      SecretString: JSON.stringify(secret.values),
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.createdAt,
    });
  });

  return {
    name: 'secrets',
    credentials: { sessionToken: token },
    env: (baseUrl) => ({ PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: new URL(baseUrl).port, AWS_SESSION_TOKEN: token }),
    routes,
    put,
    inspect: () => ({
      secrets: [...secrets.values()].map((s) => ({ name: s.name, versionId: s.versionId, keys: Object.keys(s.values).sort() })),
    }),
    // The stored secrets are the stack's configuration: they stay.
    reset: () => undefined,
    authorize: (req) =>
      req.headers.get(TOKEN_HEADER) === token ? undefined : new Response('Unauthorized', { status: 401, headers: { 'content-type': 'text/plain' } }),
    faultResponse: () => new Response('not ready to serve traffic, please wait', { status: 400, headers: { 'content-type': 'text/plain' } }),
  };
}
