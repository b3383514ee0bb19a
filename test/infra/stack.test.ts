// The CDK stack, built in code with bundling skipped (the bundles are covered by bundles.test.ts).
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FonellaStack } from '../../lib/fonella-stack';
import { routes } from '../../lib/routes';
import { StackSettings } from '../../lib/settings';
import { needsAuthorizer, type RouteDef } from '../../shared/http/route-def';

const root = fileURLToPath(new URL('../../', import.meta.url));
const all = Object.entries(routes as Record<string, RouteDef>);
let template: Template;

beforeAll(() => {
  const context = JSON.parse(readFileSync(`${root}/cdk.json`, 'utf8')).context;
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const settings = StackSettings.parse(context.fonella);
  const stack = new FonellaStack(app, 'Test', { settings, routes, root, env: { region: 'eu-central-1', account: '111111111111' } });
  template = Template.fromStack(stack);
});

const functions = () =>
  Object.values(template.findResources('AWS::Lambda::Function')).filter(
    (f) => (f.Properties as { Runtime?: string }).Runtime?.startsWith('nodejs'),
  ) as { Properties: Record<string, unknown> }[];

describe('functions', () => {
  it('one function per manifest route, Node.js 22 on arm64', () => {
    const fns = functions();
    expect(fns).toHaveLength(all.length);
    for (const f of fns) {
      expect(f.Properties.Runtime).toBe('nodejs22.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
    }
    const descriptions = fns.map((f) => f.Properties.Description).sort();
    expect(descriptions).toEqual(all.map(([, r]) => `${r.method} ${r.path}`).sort());
  });

  it('only functions that use the table get its name and a grant; read-only ones no write action', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    for (const [name, route] of all) {
      const fn = functions().find((f) => f.Properties.FunctionName === `fonella-dev-${name}`)!;
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect('TABLE_NAME' in env).toBe(Boolean(route.uses.table));
      const policyText = JSON.stringify(
        Object.entries(policies).filter(([id]) => id.startsWith(`Route${name}FnServiceRoleDefaultPolicy`)),
      );
      if (!route.uses.table) expect(policyText).not.toContain('dynamodb:');
      if (route.uses.table === 'read') expect(policyText).not.toContain('dynamodb:PutItem');
      if (route.uses.table === 'write') expect(policyText).toContain('dynamodb:PutItem');
    }
  });

  it('provider secrets reach only the functions that use the provider, as deploy-time references', () => {
    for (const [name, route] of all) {
      const fn = functions().find((f) => f.Properties.FunctionName === `fonella-dev-${name}`)!;
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect('MAILGUN_API_KEY' in env).toBe(route.uses.providers?.includes('mailgun') ?? false);
      if ('MAILGUN_API_KEY' in env) expect(JSON.stringify(env.MAILGUN_API_KEY)).toContain('resolve:secretsmanager');
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

  it('the authorizer trusts the Auth0 tenant and audience from settings', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://fonella-dev.eu.auth0.com/', Audience: ['https://api.fonella.app'] },
    });
  });
});

describe('table', () => {
  it('is on demand with PITR, deletion protection, TTL and the two GSIs', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
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
