// CDK's own bundling of our functions (NodejsFunction running esbuild, as `cdk synth` and `cdk deploy`
// do), on three routes of the real stack: an ordinary one, whose asset is byte for byte the bundle that
// bundles.test.ts and the bench build from lib/bundling.ts, one whose manifest entry defers a package
// (`loadsOnDemand`) and an idempotent one, whose packages CDK installs beside the bundle. The other tests synth with bundling skipped;
// every function's bundle is built by bundles.test.ts with the same options.
import { App } from 'aws-cdk-lib';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FonellaStack } from '../../lib/fonella-stack';
import { deferredPackages, esbuildOptions } from '../../lib/bundling';
import { addIntegration, submitContact, updateTool } from '../../lib/routes';
import { queueWorkers } from '../../lib/queues';
import { StackSettings } from '../../lib/settings';
import type { RouteDef } from '../../shared/http/route-def';

const root = fileURLToPath(new URL('../../', import.meta.url));
let outdir: string;
/** The asset folder of each function, by route name. */
const assets = new Map<string, string>();

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'fonella-cdk-bundling-'));
  const context = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')).context;
  // Bundling on, as for `cdk synth`: every stack's assets are built.
  const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': ['**'] } });
  const settings = StackSettings.parse(context.fonella);
  // The queue worker too: the stack wires the webhook queue to it (a third asset, checked as the others).
  const stack = new FonellaStack(app, 'Bundled', { settings, routes: { updateTool, addIntegration, submitContact }, workers: {}, queueWorkers, operations: {}, root, env: { region: 'eu-central-1', account: '111111111111' } });
  app.synth();
  // Each function's code asset (an s3-assets Asset named Code under the function), by manifest name.
  for (const c of stack.node.findAll()) {
    const named = /\/(?:Route|QueueWorker)-([^/]+)\/Fn\/Code$/.exec(c.node.path);
    if (named && c instanceof Asset) assets.set(named[1]!, join(outdir, c.assetPath));
  }
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("CDK's bundling of a function", () => {
  it('builds one asset per function, its code in index.mjs', () => {
    expect([...assets.keys()].sort()).toEqual(['addIntegration', 'deliverWebhook', 'submitContact', 'updateTool']);
    for (const dir of assets.values()) expect(readFileSync(join(dir, 'index.mjs'), 'utf8').length).toBeGreaterThan(1000);
  });

  it('is byte for byte the bundle lib/bundling.ts describes (what bundles.test.ts checks and the bench loads)', async () => {
    const result = await build({ ...esbuildOptions(join(root, updateTool.handler), join(outdir, 'check.mjs'), deferredPackages(updateTool as RouteDef)), write: false });
    const ours = result.outputFiles!.find((f) => f.path.endsWith('.mjs'))!.text;
    expect(readFileSync(join(assets.get('updateTool')!, 'index.mjs'), 'utf8')).toBe(ours);
  });

  it("takes node:stream/web from the project's alias, not Node's module", () => {
    for (const dir of assets.values()) expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).not.toMatch(/["']node:stream\/web["']/);
  });

  it('installs a deferred package beside the bundle, which leaves it out; nothing beside the others', () => {
    const dir = assets.get('addIntegration')!;
    expect(existsSync(join(assets.get('updateTool')!, 'node_modules'))).toBe(false);
    expect(deferredPackages(addIntegration as RouteDef)).toEqual(['libphonenumber-js']);
    expect(existsSync(join(dir, 'node_modules', 'libphonenumber-js', 'package.json'))).toBe(true);
    expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).toMatch(/import\(["']libphonenumber-js\/core["']\)/);
  });

  it("installs an idempotent route's Powertools idempotency beside its bundle", () => {
    const dir = assets.get('submitContact')!;
    expect(deferredPackages(submitContact as RouteDef)).toEqual(['@aws-lambda-powertools/idempotency']);
    expect(existsSync(join(dir, 'node_modules', '@aws-lambda-powertools', 'idempotency', 'package.json'))).toBe(true);
    expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).toMatch(/import\(["']@aws-lambda-powertools\/idempotency/);
  });
});
