// How every function is bundled: one definition for CDK's NodejsFunction and for `npm run bench`,
// so the benchmark measures exactly what ships.
import type { BuildOptions } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** ESM needs `require` for the few CommonJS dependencies esbuild inlines. */
export const ESM_REQUIRE_BANNER = "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);";

/** The Node.js major the functions run on (Runtime.NODEJS_24_X), and the one `npm start`, the tests
 *  and the bench run on: the `node` dev dependency puts it first on npm scripts' PATH. */
export const NODE_MAJOR = 24;

/** Every function's memory (MB): CDK's `memorySize`, and what sizes the heap of the Node it runs. */
export const FUNCTION_MEMORY_MB = 512;

/**
 * The flags Lambda's Node.js runtime starts Node with (its bootstrap script: the runtime's own
 * `--expose-gc`, a larger HTTP header limit, and a heap sized from the function's memory, a tenth for
 * the young generation split in two semi-spaces, the rest for the old), so that the bench loads a
 * bundle in the Node a cold start runs. `--expose-gc` changes V8's flag hash, so Node's code cache for
 * its own modules does not apply and every builtin a load takes is compiled from source.
 */
export function lambdaNodeArgs(memoryMb = FUNCTION_MEMORY_MB): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return ['--expose-gc', '--max-http-header-size', '81920', `--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

export const BUNDLE = {
  target: `node${NODE_MAJOR}`,
  format: 'esm',
  platform: 'node',
  minify: true,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  /**
   * The packages' licence comments go to a file beside the bundle (`index.mjs.LEGAL.txt`), not into
   * it: one non-Latin-1 character (a name in a licence, say) makes V8 hold the whole source two bytes
   * a character, which cost `savePayoutDetails` ~700 KB of heap at every cold start. esbuild writes
   * the rest ASCII-only (its default charset), escaping such characters where it can: in strings,
   * not in regular expression literals (test/infra/bundles.test.ts checks every bundle).
   */
  legalComments: 'external',
  /**
   * Imports taken from our own module instead (paths from the repository's root; `bundleAliases` makes
   * them absolute): node:stream/web, which only @middy/core imports, for its ReadableStream, the
   * global (shared/http/stream-web.ts says why).
   */
  alias: { 'node:stream/web': 'shared/http/stream-web.ts' } as Record<string, string>,
  /**
   * Everything else is bundled, not taken from the runtime: the measured load is ~40% faster and the
   * version is ours. Left out: the packages a function loads only for some requests (`deferredPackages`).
   */
  external: [] as string[],
} as const;

/**
 * The packages a function imports only at the first request that needs them (a dynamic `import()`),
 * left out of its bundle and installed beside it (CDK's `nodeModules`), so that its cold start does
 * not read them: in one bundle, even imported dynamically, a package is read and parsed at every cold
 * start. Powertools idempotency for the idempotent routes (only a request with an Idempotency-Key
 * runs it: ~2 ms of their cold starts), and what a route's manifest entry names in `loadsOnDemand`.
 * The first request that needs one loads it from node_modules, once.
 */
export const deferredPackages = (fn: { idempotent?: boolean; loadsOnDemand?: readonly string[] }): string[] => [
  ...(fn.idempotent ? ['@aws-lambda-powertools/idempotency'] : []),
  ...(fn.loadsOnDemand ?? []),
];

/** BUNDLE.alias with absolute paths, for esbuild wherever it runs (its working directory is CDK's choice). */
export const bundleAliases = (): Record<string, string> =>
  Object.fromEntries(Object.entries(BUNDLE.alias).map(([from, to]) => [from, fileURLToPath(new URL(`../${to}`, import.meta.url))]));

/** esbuild options equivalent to the NodejsFunction bundling in lib/constructs/fonella-function.ts. */
export function esbuildOptions(entry: string, outfile: string, deferred: readonly string[] = []): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    target: BUNDLE.target,
    format: BUNDLE.format,
    platform: BUNDLE.platform,
    minify: BUNDLE.minify,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    legalComments: BUNDLE.legalComments,
    alias: bundleAliases(),
    external: [...BUNDLE.external, ...deferred],
    metafile: true,
    logLevel: 'error',
  };
}

/** The SDK package each provider's adapter loads (fetch-based adapters load none). */
export const PROVIDER_SDK: Partial<Record<string, { pkg: string; floor: string }>> = {
  mailgun: {
    pkg: 'mailgun.js',
    floor: "import Mailgun from 'mailgun.js'; globalThis.__mg = new Mailgun(FormData).client({ username: 'api', key: 'k' });",
  },
  stripe: { pkg: 'stripe', floor: "import Stripe from 'stripe'; globalThis.__st = new Stripe('sk_test_x');" },
  auth0: {
    pkg: 'auth0',
    floor: "import { ManagementClient } from 'auth0'; globalThis.__a0 = new ManagementClient({ domain: 'x.auth0.com', clientId: 'a', clientSecret: 'b' });",
  },
  vapi: { pkg: '@vapi-ai/server-sdk', floor: "import { VapiClient } from '@vapi-ai/server-sdk'; globalThis.__vp = new VapiClient({ token: 'x' });" },
};

export const TABLE_FLOOR =
  "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'; globalThis.__db = DynamoDBDocumentClient.from(new DynamoDBClient({}));";

export const KMS_FLOOR = "import { KMSClient } from '@aws-sdk/client-kms'; globalThis.__kms = new KMSClient({});";

export const SQS_FLOOR = "import { SQSClient } from '@aws-sdk/client-sqs'; globalThis.__sqs = new SQSClient({});";
export const S3_FLOOR =
  "import { S3Client } from '@aws-sdk/client-s3'; import { getSignedUrl } from '@aws-sdk/s3-request-presigner'; globalThis.__s3 = [new S3Client({}), getSignedUrl];";

/** Source of the smallest bundle a function could be: only the SDK clients it needs, constructed. */
export function floorSource(uses: { table?: 'read' | 'write'; providers?: string[]; payoutKey?: string; webhookQueue?: string; exportsBucket?: string; signingKey?: string }): string {
  const parts = [
    uses.table ? TABLE_FLOOR : '',
    uses.payoutKey || uses.signingKey ? KMS_FLOOR : '',
    uses.webhookQueue ? SQS_FLOOR : '',
    uses.exportsBucket ? S3_FLOOR : '',
    ...(uses.providers ?? []).map((p) => PROVIDER_SDK[p]?.floor ?? ''),
  ];
  return `${parts.filter(Boolean).join('\n')}\nexport {};\n`;
}
