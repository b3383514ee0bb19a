// The CDK stack, built in code with bundling skipped (the bundles are covered by bundles.test.ts).
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_5XX_PATTERN, FonellaStack, routeThrottles } from '../../lib/fonella-stack';
import { getHealth, routes } from '../../lib/routes';
import { operations, type OperationDef } from '../../lib/operations';
import { workers } from '../../lib/workers';
import { queueWorkers } from '../../lib/queues';
import type { QueueWorkerDef } from '../../shared/streams/queue-worker-def';
import { PROVIDER_ENV, PROVIDER_SECRET_KEYS, ROUTE_THROTTLE_DEFAULTS, StackSettings, WEBHOOK_CONCURRENCY, functionSecretKeys, WEBHOOK_SECRET_VARS } from '../../lib/settings';
import { acceptsApiKeys, checksBearerInFunction, needsAuthorizer, type RouteDef } from '../../shared/http/route-def';
import { API_KEY_WRITE_PREFIXES } from '../../lib/constructs/fonella-function';
import { filterPattern, type WorkerDef } from '../../shared/streams/worker-def';
import { MAX_FUNCTIONS_PER_STACK, functionGroup } from '../../lib/constructs/function-stack';
import { allResources, nestedStacks, stackTemplates } from './stack-templates';

const root = fileURLToPath(new URL('../../', import.meta.url));
const all = Object.entries(routes as Record<string, RouteDef>);
const allWorkers = Object.entries(workers as Record<string, WorkerDef>);
const allOps = Object.entries(operations as Record<string, OperationDef>);
const allQueueWorkers = Object.entries(queueWorkers as Record<string, QueueWorkerDef>);
/** Every stack's resources as one template (parent and nested). */
let template: Template;
/** Each stack's own template, by stack path. */
let perStack: Map<string, Template>;
let built: FonellaStack;

function build(routeSet: Record<string, RouteDef>, over: Record<string, unknown> = {}) {
  const context = JSON.parse(readFileSync(`${root}/cdk.json`, 'utf8')).context;
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const settings = StackSettings.parse({ ...context.fonella, ...over });
  const stack = new FonellaStack(app, 'Test', { settings, routes: routeSet, workers, queueWorkers, operations, root, env: { region: 'eu-central-1', account: '111111111111' } });
  const templates = stackTemplates(stack);
  return { stack, templates, template: allResources(templates) };
}
const synth = (routeSet: Record<string, RouteDef>, over: Record<string, unknown> = {}) => build(routeSet, over).template;

beforeAll(() => {
  ({ template, templates: perStack, stack: built } = build(routes));
});

describe('stacks', () => {
  it('every stack, parent and nested, stays well under the 500 resources CloudFormation allows', () => {
    expect(perStack.size).toBeGreaterThan(1);
    const counts = [...perStack].map(([path, t]) => [path, Object.keys(t.toJSON().Resources as object).length] as const);
    for (const [path, count] of counts) expect(count, path).toBeLessThan(400);
  });

  it('the parent holds the table, the key, the API with its stage, authorizer and access log; no function', () => {
    const parent = perStack.get('Test')!;
    expect(Object.keys(parent.findResources('AWS::KMS::Key'))).toHaveLength(2);
    for (const type of ['AWS::DynamoDB::GlobalTable', 'AWS::ApiGatewayV2::Api', 'AWS::ApiGatewayV2::Stage', 'AWS::ApiGatewayV2::Authorizer', 'AWS::Logs::MetricFilter']) {
      expect(Object.keys(parent.findResources(type)), type).toHaveLength(1);
    }
    expect(Object.keys(parent.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'fonella-dev-api-5xx' } }))).toHaveLength(1);
    expect(parent.findResources('AWS::Lambda::Function')).toEqual({});
    expect(Object.keys(parent.toJSON().Outputs as object)).toEqual(expect.arrayContaining(['ApiUrl', 'TableName']));
  });

  it("each function is in the nested stack of its handler's folder, with its API route and alarms", () => {
    const nested = nestedStacks(built).map((n) => n.node.id);
    const kind = (name: string, def: { handler: string }) => ('method' in def ? 'Routes' : name in operations ? 'Operations' : name in queueWorkers ? 'QueueWorkers' : 'Workers');
    const groups = new Set([...all, ...allWorkers, ...allQueueWorkers, ...allOps].map(([name, def]) => `${kind(name, def)}-${functionGroup(def.handler)}`));
    expect(nested.sort()).toEqual([...groups].sort());
    expect(nested).toContain('Operations-ops');
    for (const [name, def] of [...all, ...allWorkers, ...allQueueWorkers, ...allOps]) {
      const path = `Test/${kind(name, def)}-${functionGroup(def.handler)}`;
      const t = perStack.get(path)!;
      const inStack = (type: string, props: Record<string, unknown>) => Object.keys(t.findResources(type, { Properties: props })).length;
      expect(inStack('AWS::Lambda::Function', { FunctionName: `fonella-dev-${name}` }), `${name} in ${path}`).toBe(1);
      expect(inStack('AWS::CloudWatch::Alarm', { AlarmName: `fonella-dev-${name}-errors` }), name).toBe(1);
      if ('method' in def) expect(inStack('AWS::ApiGatewayV2::Route', { RouteKey: `${def.method} ${def.path}` }), name).toBe(1);
    }
  });

  it('a handler folder holds at most the functions one nested stack takes', () => {
    const sizes = new Map<string, number>();
    for (const [, def] of [...all, ...allWorkers, ...allQueueWorkers, ...allOps]) sizes.set(functionGroup(def.handler), (sizes.get(functionGroup(def.handler)) ?? 0) + 1);
    for (const [group, size] of sizes) expect(size, group).toBeLessThanOrEqual(MAX_FUNCTIONS_PER_STACK);
    expect(functionGroup('functions/hotlines/calls/answer.ts')).toBe('hotlines-calls');
    expect(() => functionGroup('handlers/get-me.ts')).toThrow(/functions\/<caller>/);
  });
});

const functions = () =>
  Object.values(template.findResources('AWS::Lambda::Function')).filter(
    (f) => (f.Properties as { Runtime?: string }).Runtime?.startsWith('nodejs'),
  ) as { Properties: Record<string, unknown> }[];

const fnEntry = (name: string) =>
  Object.entries(template.findResources('AWS::Lambda::Function')).find(
    ([, f]) => (f.Properties as { FunctionName?: string }).FunctionName === `fonella-dev-${name}`,
  )!;

/** The statements of every IAM policy attached to the function's role, as text. */
const policyText = (name: string, t: Template = template) => {
  const fn = Object.values(t.findResources('AWS::Lambda::Function')).find(
    (f) => (f.Properties as { FunctionName?: string }).FunctionName === `fonella-dev-${name}`,
  )!;
  const roleId = (fn.Properties as { Role: { 'Fn::GetAtt': [string, string] } }).Role['Fn::GetAtt'][0];
  const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter(
    (p) => JSON.stringify((p.Properties as { Roles: unknown }).Roles) === JSON.stringify([{ Ref: roleId }]),
  );
  expect(policies.length, name).toBeGreaterThan(0);
  return JSON.stringify(policies.map((p) => (p.Properties as { PolicyDocument: unknown }).PolicyDocument));
};

describe('functions', () => {
  it('one function per manifest route, per stream worker and per operation, Node.js 24 on arm64', () => {
    const fns = functions();
    expect(fns).toHaveLength(all.length + allWorkers.length + allQueueWorkers.length + allOps.length);
    for (const f of fns) {
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
    }
    const descriptions = fns.map((f) => f.Properties.Description).sort();
    expect(descriptions).toEqual(
      [...all.map(([, r]) => `${r.method} ${r.path}`), ...allWorkers.map(([, w]) => `stream: ${w.summary}`), ...allQueueWorkers.map(([, w]) => `queue: ${w.summary}`), ...allOps.map(([, o]) => `operation: ${o.summary}`)].sort(),
    );
  });

  it('only functions that use the table get its name and a grant; read-only ones no write action', () => {
    for (const [name, route] of [...all, ...allWorkers, ...allOps]) {
      const fn = functions().find((f) => f.Properties.FunctionName === `fonella-dev-${name}`)!;
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect('TABLE_NAME' in env).toBe(Boolean(route.uses.table));
      const text = policyText(name);
      if (!route.uses.table) expect(text).not.toContain('dynamodb:');
      if (route.uses.table === 'read') expect(text).not.toContain('dynamodb:PutItem');
      if (route.uses.table === 'write') expect(text).toContain('dynamodb:PutItem');
    }
  });

  it('each role has no managed policy and may write logs only to its own log group', () => {
    const roles = template.findResources('AWS::IAM::Role');
    for (const [name] of [...all, ...allWorkers, ...allOps]) {
      const [, fn] = fnEntry(name);
      const roleId = (fn.Properties as { Role: { 'Fn::GetAtt': [string, string] } }).Role['Fn::GetAtt'][0];
      expect(roles[roleId]!.Properties.ManagedPolicyArns, name).toBeUndefined();
      const logGroupId = (fn.Properties as { LoggingConfig: { LogGroup: { Ref: string } } }).LoggingConfig.LogGroup.Ref;
      const statements = JSON.parse(policyText(name)).flatMap((d: { Statement: unknown[] }) => d.Statement) as {
        Action: string | string[];
        Resource: unknown;
      }[];
      const logs = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('logs:')));
      expect(logs, name).toEqual([
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } },
      ]);
    }
  });

  it('only webhook routes reserve concurrency', () => {
    for (const [name, f] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      const fnName = (f.Properties as { FunctionName?: string }).FunctionName ?? name;
      const route = all.find(([n]) => fnName === `fonella-dev-${n}`)?.[1];
      const reserved = (f.Properties as { ReservedConcurrentExecutions?: number }).ReservedConcurrentExecutions;
      if (route?.access === 'stripe') expect(reserved, fnName).toBe(WEBHOOK_CONCURRENCY.stripe);
      else if (route?.access === 'vapi') expect(reserved, fnName).toBe(WEBHOOK_CONCURRENCY.vapi);
      else if (route?.access === 'jambonz') expect(reserved, fnName).toBe(WEBHOOK_CONCURRENCY.jambonz);
      else expect(reserved, fnName).toBeUndefined();
    }
    expect(all.some(([, r]) => r.access === 'stripe')).toBe(true);
  });

  it('webhook routes (vapi, stripe) reserve concurrency by their access, as the stage setting says where it does', () => {
    const probes = {
      ...routes,
      probeVapi: { ...getHealth, name: 'probeVapi', method: 'POST', path: '/v1/probe/vapi-webhook', access: 'vapi' },
      probeStripe: { ...getHealth, name: 'probeStripe', method: 'POST', path: '/v1/probe/stripe-webhook', access: 'stripe' },
    } as Record<string, RouteDef>;
    const reservedIn = (t: Template) => (name: string) =>
      Object.values(t.findResources('AWS::Lambda::Function')).find(
        (f) => (f.Properties as { FunctionName?: string }).FunctionName === `fonella-dev-${name}`,
      )!.Properties.ReservedConcurrentExecutions;
    const reserved = reservedIn(synth(probes));
    expect(reserved('probeVapi')).toBe(WEBHOOK_CONCURRENCY.vapi);
    expect(reserved('probeStripe')).toBe(WEBHOOK_CONCURRENCY.stripe);
    expect(reserved('getHealth')).toBeUndefined();
    // Room for the Vapi webhook's tool calls, each holding an instance up to the longest tool timeout.
    expect(WEBHOOK_CONCURRENCY.vapi).toBeGreaterThanOrEqual(100);
    expect(WEBHOOK_CONCURRENCY.stripe).toBeGreaterThan(0);
    const small = reservedIn(synth(probes, { webhookConcurrency: { vapi: 30 } }));
    expect(small('probeVapi')).toBe(30);
    expect(small('probeStripe')).toBe(WEBHOOK_CONCURRENCY.stripe);
    const base = JSON.parse(readFileSync(`${root}/cdk.json`, 'utf8')).context.fonella;
    for (const bad of [{ vapi: 0 }, { vapi: 901 }, { public: 5 }]) expect(() => StackSettings.parse({ ...base, webhookConcurrency: bad }), JSON.stringify(bad)).toThrow();
  });
});

describe('provider secrets', () => {
  // The manifest, plus a route of each provider that has secrets and a Vapi webhook (its shared secret
  // is a key beyond its providers'), so every kind of function is checked.
  const probes: Record<string, RouteDef> = {
    probeVapi: { ...getHealth, name: 'probeVapi', method: 'POST', path: '/v1/probe/vapi-webhook', access: 'vapi', uses: { providers: ['vapi'] } },
    probeStripe: { ...getHealth, name: 'probeStripe', method: 'POST', path: '/v1/probe/stripe', uses: { table: 'read', providers: ['stripe', 'recaptcha'] } },
  };
  let probed: Template;
  beforeAll(() => {
    probed = synth({ ...routes, ...probes });
  });
  const cases = () =>
    [...Object.entries({ ...routes, ...probes } as Record<string, RouteDef>), ...allWorkers, ...allOps].map(([name, def]) => {
      const fn = Object.values(probed.findResources('AWS::Lambda::Function')).find(
        (f) => (f.Properties as { FunctionName?: string }).FunctionName === `fonella-dev-${name}`,
      )!.Properties as { Environment: { Variables: Record<string, unknown> }; Layers?: unknown[] };
      const keys = functionSecretKeys(def.uses.providers, 'access' in def ? (WEBHOOK_SECRET_VARS[def.access] ?? []) : []);
      return { name, env: fn.Environment.Variables, layers: fn.Layers, keys };
    });

  it('no function configuration holds a secret value or a reference CloudFormation resolves into one', () => {
    expect(JSON.stringify(probed.toJSON())).not.toContain('resolve:secretsmanager');
    for (const { name, env } of cases()) {
      for (const key of PROVIDER_SECRET_KEYS) expect(env, `${name} ${key}`).not.toHaveProperty(key);
    }
  });

  it('a function with secret keys gets the extension layer, the secret name, exactly its keys, and may read that secret alone', () => {
    const settings = StackSettings.parse(JSON.parse(readFileSync(`${root}/cdk.json`, 'utf8')).context.fonella);
    const withKeys = cases().filter((c) => c.keys.length > 0);
    // Exactly the functions that use a provider with a secret: every such route and worker, and the probes.
    // (A Vapi or jambonz webhook also reads the secret it checks its caller with, whatever its providers.)
    const usesSecret = (d: { uses: RouteDef['uses']; access?: RouteDef['access'] }) =>
      (d.access !== undefined && WEBHOOK_SECRET_VARS[d.access] !== undefined) || (d.uses.providers ?? []).some((p) => PROVIDER_ENV[p].secret.length > 0);
    const expected = [...all, ...allWorkers, ...allOps].filter(([, d]) => usesSecret(d)).map(([n]) => n);
    expect(withKeys.map((c) => c.name).sort()).toEqual([...expected, 'probeStripe', 'probeVapi'].sort());
    expect(withKeys.map((c) => c.name)).toEqual(expect.arrayContaining(['deliverContactEmail', 'putAssistant', 'submitContact']));
    expect(cases().find((c) => c.name === 'probeVapi')!.keys).toEqual(['VAPI_API_KEY', 'VAPI_WEBHOOK_SECRET']);
    for (const { name, env, layers, keys } of withKeys) {
      expect(layers, name).toEqual([expect.stringMatching(/^arn:aws:lambda:eu-central-1:\d{12}:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/)]);
      expect(env, name).toMatchObject({
        PROVIDER_SECRET_NAME: settings.providerSecretName,
        SECRET_KEYS: keys.join(','),
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773',
        SECRETS_MANAGER_TTL: '300',
      });
      const statements = JSON.parse(policyText(name, probed)).flatMap((d: { Statement: unknown[] }) => d.Statement) as { Action: unknown; Resource: unknown }[];
      const secretStatements = statements.filter((s) => JSON.stringify(s).includes('secretsmanager'));
      expect(secretStatements, name).toEqual([
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-central-1:111111111111:secret:${settings.providerSecretName}-??????`]] },
        },
      ]);
    }
  });

  it('a function without secret keys gets no layer, no secret name or keys, and no secretsmanager permission', () => {
    const without = cases().filter((c) => c.keys.length === 0);
    expect(without.length).toBeGreaterThan(0);
    for (const { name, env, layers } of without) {
      expect(layers, name).toBeUndefined();
      expect(Object.keys(env).filter((k) => /SECRET|PARAMETERS|SSM_/.test(k)), name).toEqual([]);
      expect(policyText(name, probed), name).not.toContain('secretsmanager');
    }
  });
});

describe('API', () => {
  it('every route exists; the authorizer guards every non-public route and none of the public ones', () => {
    const apiRoutes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties as { RouteKey: string; AuthorizationType?: string },
    );
    expect(apiRoutes).toHaveLength(all.length);
    for (const [, route] of all) {
      const r = apiRoutes.find((x) => x.RouteKey === `${route.method} ${route.path}`);
      expect(r, `${route.method} ${route.path}`).toBeDefined();
      expect(r!.AuthorizationType ?? 'NONE').toBe(needsAuthorizer(route) ? 'JWT' : 'NONE');
    }
  });

  it('the default stage auto-deploys, throttles every route and writes JSON access logs to a log group with retention', () => {
    const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')).map((s) => s.Properties as Record<string, unknown>);
    expect(stages).toHaveLength(1);
    const stage = stages[0] as {
      StageName: string;
      AutoDeploy: boolean;
      DefaultRouteSettings: Record<string, unknown>;
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
    };
    expect(stage).toMatchObject({ StageName: '$default', AutoDeploy: true });
    const defaults = StackSettings.parse({ ...JSON.parse(readFileSync(`${root}/cdk.json`, 'utf8')).context.fonella }).apiThrottle;
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: defaults.rateLimit, ThrottlingBurstLimit: defaults.burstLimit });
    expect(defaults.burstLimit).toBeGreaterThanOrEqual(defaults.rateLimit);
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latency: '$context.responseLatency',
      error: '$context.error.message',
      integrationError: '$context.integrationErrorMessage',
    });
    const logGroup = template.findResources('AWS::Logs::LogGroup')[stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0]];
    expect(logGroup?.Properties).toMatchObject({ LogGroupName: '/aws/apigateway/fonella-dev', RetentionInDays: 14 });
  });

  it('every public and webhook route has a throttle of its own from the stage settings; the others keep the default', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]!.Properties as {
      RouteSettings?: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    };
    const { routeThrottles, apiThrottle } = StackSettings.parse(JSON.parse(readFileSync(`${root}/cdk.json`, 'utf8')).context.fonella);
    const expected = Object.fromEntries(
      all
        .filter(([, r]) => r.access in routeThrottles)
        .map(([, r]) => {
          const t = routeThrottles[r.access as keyof typeof routeThrottles];
          return [`${r.method} ${r.path}`, { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit }];
        }),
    );
    expect(stage.RouteSettings).toEqual(expected);
    // Which routes: the public forms and every webhook (Stripe, Vapi, jambonz's hooks).
    const keys = Object.keys(stage.RouteSettings ?? {});
    for (const key of ['POST /v1/public/contact', 'POST /v1/public/callback-requests', 'POST /v1/webhooks/stripe', 'POST /v1/webhooks/vapi']) expect(keys).toContain(key);
    expect(keys.some((k) => k.startsWith('POST /v1/webhooks/jambonz/'))).toBe(true);
    expect(keys.every((k) => !k.includes('/v1/me') && !k.includes('/v1/admin'))).toBe(true);
    // Anonymous routes get less than the stage default; each throttle is a sane token bucket.
    expect(routeThrottles.public.rateLimit).toBeLessThan(apiThrottle.rateLimit);
    for (const t of Object.values(routeThrottles)) expect(t.burstLimit).toBeGreaterThanOrEqual(t.rateLimit);
  });

  it('the stage is deployed after the nested stacks holding the throttled routes (its route settings name them)', () => {
    const parent = perStack.get('Test')!.toJSON() as { Resources: Record<string, { Type: string; DependsOn?: string[] }> };
    const [, stage] = Object.entries(parent.Resources).find(([, r]) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
    const nestedIds = (group: string) => Object.keys(parent.Resources).filter((id) => parent.Resources[id]!.Type === 'AWS::CloudFormation::Stack' && id.startsWith(`Routes${group}NestedStack`));
    for (const group of new Set(all.filter(([, r]) => ['public', 'vapi', 'stripe', 'jambonz'].includes(r.access)).map(([, r]) => functionGroup(r.handler).replaceAll('-', '')))) {
      const ids = nestedIds(group);
      expect(ids, group).not.toHaveLength(0);
      for (const id of ids) expect(stage.DependsOn ?? [], id).toContain(id);
    }
  });

  it('routeThrottles: an access left out keeps its default, one given is used for its routes', () => {
    const base = JSON.parse(readFileSync(`${root}/cdk.json`, 'utf8')).context.fonella;
    const parsed = StackSettings.parse({ ...base, routeThrottles: { jambonz: { rateLimit: 200, burstLimit: 400 } } });
    expect(parsed.routeThrottles).toEqual({ ...ROUTE_THROTTLE_DEFAULTS, jambonz: { rateLimit: 200, burstLimit: 400 } });
    expect(routeThrottles(routes, parsed)['POST /v1/webhooks/stripe']).toEqual(ROUTE_THROTTLE_DEFAULTS.stripe);
    expect(() => StackSettings.parse({ ...base, routeThrottles: { public: { rateLimit: 0, burstLimit: 1 } } })).toThrow();
    expect(() => StackSettings.parse({ ...base, routeThrottles: { admin: { rateLimit: 1, burstLimit: 1 } } })).toThrow();
  });

  it("the routes that check the bearer themselves (no authorizer: those that take API keys, the admin routes) check the portal's token against the authorizer's own tenant and audience; those that take keys get the per-key rate", () => {
    const keyed = all.filter(([, r]) => acceptsApiKeys(r));
    expect(keyed.length).toBeGreaterThan(0);
    expect(all.filter(([, r]) => r.access === 'admin').length).toBe(11);
    const tenant = { AUTH0_ISSUER: 'https://fonella-dev.eu.auth0.com/', AUTH0_AUDIENCE: 'https://api.fonella.app' };
    for (const [name, route] of all) {
      const env = (fnEntry(name)[1].Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
      if (acceptsApiKeys(route)) {
        expect(env, name).toMatchObject({ ...tenant, API_KEY_RATE_LIMIT_PER_MINUTE: '120' });
      } else if (checksBearerInFunction(route)) {
        expect(env, name).toMatchObject(tenant);
        expect(Object.keys(env).filter((k) => k.startsWith('API_KEY_')), name).toEqual([]);
      } else {
        expect(Object.keys(env).filter((k) => k.startsWith('AUTH0_ISSUER') || k.startsWith('API_KEY_')), name).toEqual([]);
      }
    }
  });

  it("a reading route that takes API keys may update the keys' own items only (rate counters and lookup items); other reading routes update nothing", () => {
    const statementsOf = (name: string) =>
      JSON.parse(policyText(name)).flatMap((d: { Statement: unknown[] }) => d.Statement) as { Action: unknown; Condition?: unknown }[];
    for (const [name, route] of all.filter(([, r]) => r.uses.table === 'read')) {
      const updates = statementsOf(name).filter((st) => JSON.stringify(st.Action).includes('dynamodb:UpdateItem'));
      if (acceptsApiKeys(route)) {
        expect(updates, name).toEqual([
          expect.objectContaining({ Action: 'dynamodb:UpdateItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...API_KEY_WRITE_PREFIXES] } } }),
        ]);
      } else {
        expect(updates, name).toEqual([]);
      }
    }
  });

  it('the authorizer trusts the Auth0 tenant and audience from settings', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://fonella-dev.eu.auth0.com/', Audience: ['https://api.fonella.app'] },
    });
  });
});

describe('alarms on what callers see', () => {
  type AlarmProps = Record<string, unknown> & { AlarmName?: string; Dimensions?: { Name: string; Value: unknown }[] };
  const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as AlarmProps);
  const accessLogGroupId = () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]!.Properties as {
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
    };
    return { id: stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0], format: JSON.parse(stage.AccessLogSettings.Format) as Record<string, string> };
  };

  it("one metric filter on the access log counts 5xx lines by the line's route key", () => {
    const { id, format } = accessLogGroupId();
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).map((f) => f.Properties as Record<string, unknown>);
    expect(filters).toEqual([
      {
        LogGroupName: { Ref: id },
        FilterPattern: API_5XX_PATTERN,
        MetricTransformations: [
          { MetricNamespace: 'Fonella/dev', MetricName: 'Api5xx', MetricValue: '1', Unit: 'Count', Dimensions: [{ Key: 'Route', Value: '$.routeKey' }] },
        ],
      },
    ]);
    // The fields the filter reads are the access line's: the route key and the status, written as a string.
    expect(format.routeKey).toBe('$context.routeKey');
    expect(format.status).toBe('$context.status');
    expect(API_5XX_PATTERN).toBe('{ $.status = 5* }');
  });

  it('one 5xx alarm per manifest route, bound to its route key: 1 or more in 5 minutes, quiet without traffic', () => {
    const perRoute = alarms().filter((a) => a.MetricName === 'Api5xx');
    expect(perRoute).toHaveLength(all.length);
    const apiRouteKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => (r.Properties as { RouteKey: string }).RouteKey);
    for (const [name, route] of all) {
      const routeKey = `${route.method} ${route.path}`;
      expect(apiRouteKeys).toContain(routeKey);
      const alarm = perRoute.find((a) => a.AlarmName === `fonella-dev-${name}-5xx`);
      expect(alarm, name).toMatchObject({
        Namespace: 'Fonella/dev',
        Dimensions: [{ Name: 'Route', Value: routeKey }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
    expect(new Set(perRoute.map((a) => JSON.stringify(a.Dimensions))).size).toBe(all.length);
  });

  it("a stage-wide 5xx alarm on API Gateway's own metric; every function keeps its Lambda Errors alarm", () => {
    const stageId = Object.keys(template.findResources('AWS::ApiGatewayV2::Stage'))[0]!;
    const apiId = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    expect(stageId).toBeDefined();
    expect(alarms().find((a) => a.AlarmName === 'fonella-dev-api-5xx')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: expect.arrayContaining([
        { Name: 'ApiId', Value: { Ref: apiId } },
        { Name: 'Stage', Value: '$default' },
      ]),
      Statistic: 'Sum',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
    for (const [name] of [...all, ...allWorkers, ...allOps]) {
      expect(alarms().find((a) => a.AlarmName === `fonella-dev-${name}-errors`), name).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda' });
    }
  });
});

describe('table', () => {
  it('is on demand with PITR, deletion protection, TTL, the two GSIs and a stream of both images', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike({ IndexName: 'gsi1' }), Match.objectLike({ IndexName: 'gsi2' })]),
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true })],
    });
  });
});

describe('stream workers', () => {
  const logicalId = (type: string, match: (props: Record<string, unknown>) => boolean) =>
    Object.entries(template.findResources(type)).find(([, r]) => match(r.Properties as Record<string, unknown>))?.[0];

  it('has workers to check', () => expect(allWorkers.length).toBeGreaterThan(0));

  it.each(allWorkers)('%s: one filtered event source with partial batches, bisect, bounded retries and a DLQ', (name, w) => {
    const fnId = logicalId('AWS::Lambda::Function', (p) => p.FunctionName === `fonella-dev-${name}`)!;
    const queueId = logicalId('AWS::SQS::Queue', (p) => p.QueueName === `fonella-dev-${name}-failures`)!;
    expect(fnId).toBeDefined();
    expect(queueId).toBeDefined();
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
      (m) => JSON.stringify((m.Properties as { FunctionName: unknown }).FunctionName) === JSON.stringify({ Ref: fnId }),
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: w.batchSize,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: w.retryAttempts,
      MaximumRecordAgeInSeconds: w.maxRecordAgeSeconds,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(filterPattern(w)) }] },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(w.retryAttempts).toBeGreaterThan(0);
    expect(w.retryAttempts).toBeLessThanOrEqual(10);
  });

  it.each(allWorkers)('%s: its failure queue is encrypted, keeps 14 days and alarms on depth; the function alarms on errors', (name) => {
    const queue = Object.values(template.findResources('AWS::SQS::Queue')).find(
      (q) => (q.Properties as { QueueName?: string }).QueueName === `fonella-dev-${name}-failures`,
    )!;
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as Record<string, unknown>);
    const depth = alarms.find((a) => a.AlarmName === `fonella-dev-${name}-parked`);
    expect(depth).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 1 });
    expect(alarms.find((a) => a.AlarmName === `fonella-dev-${name}-errors`)).toMatchObject({ MetricName: 'Errors' });
  });

  it.each(allWorkers)('%s: may read the stream; its filter pattern selects the rows the manifest names', (name, w) => {
    expect(policyText(name)).toContain('dynamodb:GetRecords');
    const pattern = filterPattern(w) as { eventName: string[]; dynamodb?: { Keys?: Record<string, unknown> } };
    expect(pattern.eventName).toEqual(w.on.events);
    if (w.on.pk) expect(pattern.dynamodb?.Keys?.pk).toEqual({ S: (typeof w.on.pk === 'string' ? [w.on.pk] : w.on.pk).map((prefix) => ({ prefix })) });
  });
});

describe('operations', () => {
  it('has operations to check', () => expect(allOps.length).toBeGreaterThan(0));

  it.each(allOps)('%s: started by hand only (no event source, no API route, nothing may invoke it), with its timeout', (name, op) => {
    const [fnId, fn] = fnEntry(name);
    expect((fn.Properties as { Timeout?: number }).Timeout).toBe(op.timeoutSeconds);
    expect(op.timeoutSeconds).toBeLessThanOrEqual(900);
    const refersTo = (r: { Properties?: unknown }) => JSON.stringify(r.Properties).includes(`"${fnId}"`);
    expect(Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(refersTo), name).toEqual([]);
    expect(Object.values(template.findResources('AWS::Lambda::Permission')).filter(refersTo), name).toEqual([]);
    expect(Object.values(template.findResources('AWS::ApiGatewayV2::Integration')).filter(refersTo), name).toEqual([]);
  });
});

describe("the keys of partners' bank details and of customers' signing secrets", () => {
  it.each([
    ['PayoutKey', 'alias/fonella-dev-payout'],
    ['SigningKey', 'alias/fonella-dev-signing'],
  ])('%s: a KMS key, rotated and kept when the stack goes, under its stage alias', (id, alias) => {
    const keys = Object.entries(template.findResources('AWS::KMS::Key')).filter(([logicalId]) => logicalId.startsWith(id));
    expect(keys).toHaveLength(1);
    const [, key] = keys[0] as [string, { Properties: { EnableKeyRotation?: boolean }; DeletionPolicy?: string }];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: alias, TargetKeyId: { 'Fn::GetAtt': [keys[0]![0], 'Arn'] } });
  });

  it.each([
    ['payoutKey', 'PAYOUT_KEY_ID', 'PayoutKey', 'savePayoutDetails'],
    ['signingKey', 'SIGNING_KEY_ID', 'SigningKey', 'createTool'],
  ])('only functions whose entry says `uses.%s` get that key: its ARN and the KMS actions they need on it', (use, variable, keyId, example) => {
    const mode = (def: { uses: object }) => (def.uses as Record<string, string | undefined>)[use];
    expect([...all, ...allWorkers, ...allOps].filter(([, d]) => mode(d)).map(([n]) => n)).toContain(example);
    for (const [name, def] of [...all, ...allWorkers, ...allOps]) {
      const fn = functions().find((f) => f.Properties.FunctionName === `fonella-dev-${name}`)!;
      const env = JSON.stringify((fn.Properties.Environment as { Variables?: unknown } | undefined)?.Variables ?? {});
      expect(env.includes(variable), name).toBe(mode(def) !== undefined);
      // The statements on this key (its ARN comes into the nested stack as a parameter named after it).
      const statements = (JSON.parse(policyText(name)) as { Statement: { Action: string | string[]; Resource: unknown }[] }[])
        .flatMap((d) => d.Statement)
        .filter((st) => JSON.stringify(st.Resource).includes(keyId));
      const actions = statements.flatMap((st) => [st.Action].flat());
      expect(actions.includes('kms:GenerateDataKey'), name).toBe(mode(def) !== undefined);
      expect(actions.includes('kms:Decrypt'), name).toBe(mode(def) === 'decrypt');
    }
  });
});
