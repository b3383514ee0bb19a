// The manifest is the one map of the API: these checks keep it findable and consistent.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routes } from '../../lib/routes';
import { acceptsApiKeys } from '../../shared/http/route-def';
import { freeForm } from '../support/free-form';

const root = new URL('../../', import.meta.url).pathname;
const entries = Object.entries(routes);

describe('lib/routes/', () => {
  it('keys are the routes’ operation ids', () => {
    for (const [key, def] of entries) expect(def.name).toBe(key);
  });

  it('method + path is unique', () => {
    const keys = entries.map(([, r]) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('each handler is at functions/<caller>/<verb-noun>.ts and serves its own entry', () => {
    for (const [name, r] of entries) {
      expect(r.handler).toMatch(/^functions\/[a-z]+\/[a-z]+(-[a-z]+)*\.ts$/);
      expect(existsSync(root + r.handler), r.handler).toBe(true);
      // `partnerRoute(...)` is `route(...)` behind the partner link check (shared/http/partner-route.ts).
      expect(readFileSync(root + r.handler, 'utf8')).toMatch(new RegExp(`\\b(route|partnerRoute)\\(${name},`));
    }
  });

  it('request bodies are strict objects (unknown fields are refused), unless the OpenAPI says they are free-form', () => {
    for (const [name, r] of entries) {
      const body = r.request?.body;
      if (!body || r.request?.raw) continue;
      const result = body.safeParse({ __surprise: true });
      if (freeForm(body)) {
        // Free-form bodies (device info): an unknown field is no error of its own.
        expect(result.error?.issues.some((i) => i.code === 'unrecognized_keys') ?? false, name).toBe(false);
        continue;
      }
      expect(result.success, name).toBe(false);
      const keys = result.error?.issues.filter((i) => i.code === 'unrecognized_keys') ?? [];
      expect(keys.length, `${name} must use z.strictObject`).toBe(1);
    }
  });

  it('API key scopes: only on customer routes, whose handlers are composed with the bearer check (shared/app/key-route.ts); no other handler is', () => {
    const keyed = entries.filter(([, r]) => acceptsApiKeys(r)).map(([name]) => name).sort();
    const webhookRoutes = entries.filter(([, r]) => r.path.startsWith('/v1/me/webhooks')).map(([name]) => name);
    expect(webhookRoutes).toHaveLength(10);
    const toolRoutes = entries.filter(([, r]) => r.path.startsWith('/v1/me/tools')).map(([name]) => name);
    expect(toolRoutes).toHaveLength(5);
    expect(keyed).toEqual(['createApiKey', 'deleteApiKey', 'getCall', 'listApiKeys', 'listCalls', ...webhookRoutes, ...toolRoutes].sort());
    for (const [name, r] of entries) {
      const source = readFileSync(root + r.handler, 'utf8');
      const composed = /from '\.\.\/\.\.\/shared\/app\/key-route'/.test(source);
      expect(composed, name).toBe(acceptsApiKeys(r));
      // Admin routes check the portal's token themselves (a key there is 403 `api-key-not-accepted`).
      expect(/from '\.\.\/\.\.\/shared\/app\/admin-route'/.test(source), name).toBe(r.access === 'admin');
      if (acceptsApiKeys(r)) expect(r.access, name).toBe('user');
    }
    expect(routes.listCalls!.apiKeyScopes).toEqual(['calls:read']);
    expect(routes.getCall!.apiKeyScopes).toEqual(['calls:read']);
    for (const name of webhookRoutes) expect(routes[name]!.apiKeyScopes, name).toEqual(['webhooks:manage']);
    for (const name of toolRoutes) expect(routes[name]!.apiKeyScopes, name).toEqual(['tools:manage']);
    for (const name of ['createApiKey', 'listApiKeys', 'deleteApiKey']) expect([...routes[name]!.apiKeyScopes!].sort(), name).toEqual(['calls:read', 'tools:manage', 'webhooks:manage']);
  });
});
