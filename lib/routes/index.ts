// The route manifest: every endpoint of the API, once, one file per caller (public, me, me-webhooks, me-tools,
// partner, admin, webhooks), the way functions/ is grouped. The CDK stack (one function per entry), the local API
// server and the OpenAPI generator read `routes`; a handler imports only its own entry from its
// caller's file, so its bundle holds only its own schemas (package.json `sideEffects` lets esbuild
// drop the rest). The key is the operation id; the handler lives at functions/<caller>/<verb-noun>.ts.
//
// Entries must stay free of side effects for esbuild to drop the ones a bundle does not use: plain
// literals (`32_768`, not `32 * 1024`; no template with an imported value), and calls only when marked
// `/* @__PURE__ */` with literal arguments. test/infra/bundles.test.ts checks that each bundle holds
// no other route's path.
import type { RouteDef } from '../../shared/http/route-def';
import * as admin from './admin';
import * as hotlines from './hotlines';
import * as me from './me';
import * as meWebhooks from './me-webhooks';
import * as meTools from './me-tools';
import * as partner from './partner';
import * as publicRoutes from './public';
import * as webhooks from './webhooks';

export * from './admin';
export * from './hotlines';
export * from './me';
export * from './me-webhooks';
export * from './me-tools';
export * from './partner';
export * from './public';
export * from './webhooks';

/** A caller's entries in operation-id order: a module namespace's key order differs between runtimes. */
const sorted = (entries: Record<string, RouteDef>) => Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : 1)));

/** Every route, by operation id, grouped by caller. */
export const routes: Record<string, RouteDef> = { ...sorted(publicRoutes), ...sorted(me), ...sorted(meWebhooks), ...sorted(meTools), ...sorted(partner), ...sorted(admin), ...sorted(webhooks), ...sorted(hotlines) };
