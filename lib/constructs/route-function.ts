// A route's function: the shared function construct, named and described from its manifest entry.
import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { RouteDef } from '../../shared/http/route-def';
import { FonellaFunction, type FonellaFunctionProps } from './fonella-function';

export interface RouteFunctionProps extends Omit<FonellaFunctionProps, 'description' | 'handler' | 'uses' | 'timeout' | 'secretVars'> {
  route: RouteDef;
}

export class RouteFunction extends FonellaFunction {
  constructor(scope: Construct, id: string, { route, ...props }: RouteFunctionProps) {
    super(scope, id, {
      ...props,
      description: `${route.method} ${route.path}`,
      handler: route.handler,
      uses: route.uses,
      // The Vapi webhook proves itself with the shared secret.
      secretVars: route.access === 'vapi' ? ['VAPI_WEBHOOK_SECRET'] : [],
      timeout: Duration.seconds(route.uses.providers?.length ? 20 : 10),
    });
  }
}
