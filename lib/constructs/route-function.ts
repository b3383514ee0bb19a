// A route's function: the shared function construct, named and described from its manifest entry.
import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { acceptsApiKeys, checksBearerInFunction, functionTimeoutSeconds, type RouteDef } from '../../shared/http/route-def';
import { deferredPackages } from '../bundling';
import { WEBHOOK_SECRET_VARS } from '../settings';
import { FonellaFunction, type FonellaFunctionProps } from './fonella-function';

export interface RouteFunctionProps
  extends Omit<FonellaFunctionProps, 'description' | 'handler' | 'uses' | 'timeout' | 'secretVars' | 'reservedConcurrency' | 'apiKeys' | 'accessTokens' | 'installs'> {
  route: RouteDef;
}

export class RouteFunction extends FonellaFunction {
  constructor(scope: Construct, id: string, { route, ...props }: RouteFunctionProps) {
    super(scope, id, {
      ...props,
      description: `${route.method} ${route.path}`,
      handler: route.handler,
      uses: route.uses,
      // The Vapi webhook proves itself with the shared secret; jambonz's hooks with a signature made with the account's secret.
      secretVars: WEBHOOK_SECRET_VARS[route.access] ?? [],
      timeout: Duration.seconds(functionTimeoutSeconds(route)),
      // The webhooks' own, by access (the stage's `webhookConcurrency`); other routes have none.
      reservedConcurrency: (props.settings.webhookConcurrency as Partial<Record<RouteDef['access'], number>>)[route.access],
      apiKeys: acceptsApiKeys(route),
      accessTokens: checksBearerInFunction(route),
      installs: deferredPackages(route),
    });
  }
}
