// The functions live in nested stacks, one per handler folder of the manifests (functions/<caller>/:
// public, me, partner, admin, webhooks, hotlines, streams for the stream workers, queues for the queue
// workers, and ops for the operations started by hand): a stack takes at
// most 500 resources and every function brings about nine (role, policy, log group, alarms, and a
// route's integration, permission, API route and 5xx alarm, or a worker's event source and queue).
// The grouping follows the handler's folder alone, so adding an entry never moves another between
// stacks (a move recreates its resources); the logical ids inside a nested stack depend only on the
// entry's name. A folder that outgrows MAX_FUNCTIONS_PER_STACK is split into subfolders
// (functions/<caller>/<part>/), each its own nested stack; synthesis refuses a fuller one.
// The table, the payout key, the secret reference, the HTTP API, its stage, authorizer and access log
// stay in the parent stack; CDK hands their ids and ARNs to a nested stack as parameters.
import { Duration, NestedStack, Validations, type CfnResource } from 'aws-cdk-lib';
import { HttpMethod, HttpRoute, HttpRouteKey, type IHttpApi, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acceptsApiKeys, needsAuthorizer, type Access, type RouteDef } from '../../shared/http/route-def';
import type { QueueWorkerDef } from '../../shared/streams/queue-worker-def';
import type { WorkerDef } from '../../shared/streams/worker-def';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { OperationDef } from '../operations';
import { FonellaFunction, type FonellaFunctionProps } from './fonella-function';
import { QueueWorker } from './queue-worker';
import { RouteFunction } from './route-function';
import { StreamWorker } from './stream-worker';

/** Functions per nested stack at most: about nine resources each keeps a stack well under 500. */
export const MAX_FUNCTIONS_PER_STACK = 40;

/** Why a route without the JWT authorizer is meant to be so, by access (cdk-nag AwsSolutions-APIG4). */
const OPEN_BY_DESIGN: Partial<Record<Access, string>> = {
  public: 'Public route by design: anonymous callers, bounded by its own route throttle and per-client limits.',
  vapi: 'Vapi webhook: the function checks the shared webhook secret; Vapi sends no JWT.',
  stripe: 'Stripe webhook: the function verifies the Stripe signature; Stripe sends no JWT.',
  jambonz: 'jambonz webhook: the function verifies the Jambonz-Signature; jambonz sends no JWT.',
};

/** Why a route that takes API keys has no JWT authorizer (cdk-nag AwsSolutions-APIG4). */
const TAKES_API_KEYS =
  "Takes the portal's Auth0 JWT or a developer API key (fon_live_): a JWT authorizer would refuse every key, so the function verifies both itself (the JWT with the authorizer's checks against the same issuer and audience, the key by its hash on every request; shared/http/middleware/credentials.ts).";

/** Why an admin route has no JWT authorizer (cdk-nag AwsSolutions-APIG4). */
const CHECKS_ADMIN_TOKEN =
  "Admin route: the function verifies the portal's Auth0 JWT itself with the authorizer's checks against the same issuer and audience, then the admin permission, so that an API key sent here is answered 403 api-key-not-accepted rather than API Gateway's bare 401 (shared/http/middleware/credentials.ts).";

/** The nested stack of a manifest entry: its handler's folder under functions/ (`me`, `streams`, `hotlines-calls`). */
export function functionGroup(handler: string): string {
  const match = /^functions\/(.+)\/[^/]+$/.exec(handler);
  if (!match) throw new Error(`Handler ${handler} is not under functions/<caller>/`);
  return match[1]!.replaceAll('/', '-');
}

/** Entries grouped by functionGroup, in manifest order. */
export function groupEntries<T extends { handler: string }>(entries: Record<string, T>): Map<string, [string, T][]> {
  const groups = new Map<string, [string, T][]>();
  for (const [name, def] of Object.entries(entries)) {
    const group = functionGroup(def.handler);
    groups.set(group, [...(groups.get(group) ?? []), [name, def]]);
  }
  for (const [group, members] of groups) {
    if (members.length > MAX_FUNCTIONS_PER_STACK) {
      throw new Error(
        `functions/${group.replaceAll('-', '/')}/ holds ${members.length} functions, more than ${MAX_FUNCTIONS_PER_STACK} for one nested stack: split it into subfolders`,
      );
    }
  }
  return groups;
}

/** A 5xx alarm: 1 or more in the metric's period, quiet without traffic. */
export function alarmOn5xx(scope: Construct, id: string, alarmName: string, description: string, metric: IMetric): Alarm {
  return new Alarm(scope, id, {
    alarmName,
    alarmDescription: description,
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

type Shared = Pick<FonellaFunctionProps, 'root' | 'table' | 'secret' | 'payoutKey' | 'signingKey' | 'webhookQueue' | 'exportsBucket' | 'settings'>;

export interface RouteFunctionsProps extends Shared {
  group: string;
  routes: [string, RouteDef][];
  api: IHttpApi;
  authorizer: IHttpRouteAuthorizer;
  /** The access log's 5xx filter: each route's alarm reads its own `Route` dimension. */
  serverErrors: MetricFilter;
}

/** One handler folder's routes: per route its function, API route with integration and permission, and 5xx alarm. */
export class RouteFunctions extends NestedStack {
  constructor(scope: Construct, id: string, { group, routes, api, authorizer, serverErrors, ...shared }: RouteFunctionsProps) {
    super(scope, id, { description: `Fonella ${shared.settings.stage}: the functions of functions/${group.replaceAll('-', '/')}/` });
    for (const [name, route] of routes) {
      const { fn } = new RouteFunction(this, `Route-${name}`, { name, route, ...shared });
      const httpRoute = new HttpRoute(this, `Api-${name}`, {
        httpApi: api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: new HttpLambdaIntegration(`${name}-integration`, fn),
        authorizer: needsAuthorizer(route) ? authorizer : undefined,
      });
      const routeKey = `${route.method} ${route.path}`;
      alarmOn5xx(
        this,
        `Route-${name}-5xx`,
        `fonella-${shared.settings.stage}-${name}-5xx`,
        `5xx answers of ${routeKey}, from the API access log: callers saw a failure.`,
        serverErrors.metric({ dimensionsMap: { Route: routeKey }, statistic: 'Sum', period: Duration.minutes(5) }),
      );
      const openReason = needsAuthorizer(route) ? undefined : acceptsApiKeys(route) ? TAKES_API_KEYS : route.access === 'admin' ? CHECKS_ADMIN_TOKEN : OPEN_BY_DESIGN[route.access];
      if (openReason) Validations.of(httpRoute.node.defaultChild as CfnResource).acknowledge({ id: 'AwsSolutions-APIG4', reason: openReason });
    }
  }
}

export interface WorkerFunctionsProps extends Shared {
  group: string;
  workers: [string, WorkerDef][];
}

/** One handler folder's stream workers. */
export class WorkerFunctions extends NestedStack {
  constructor(scope: Construct, id: string, { group, workers, ...shared }: WorkerFunctionsProps) {
    super(scope, id, { description: `Fonella ${shared.settings.stage}: the stream workers of functions/${group.replaceAll('-', '/')}/` });
    for (const [name, worker] of workers) new StreamWorker(this, `Worker-${name}`, { name, worker, ...shared });
  }
}

export interface QueueWorkerFunctionsProps extends Shared {
  group: string;
  workers: [string, QueueWorkerDef][];
  /** Each worker's queue, by worker name. */
  queues: Record<string, IQueue>;
}

/** One handler folder's queue workers, each on its queue. */
export class QueueWorkerFunctions extends NestedStack {
  constructor(scope: Construct, id: string, { group, workers, queues, ...shared }: QueueWorkerFunctionsProps) {
    super(scope, id, { description: `Fonella ${shared.settings.stage}: the queue workers of functions/${group.replaceAll('-', '/')}/` });
    for (const [name, worker] of workers) new QueueWorker(this, `QueueWorker-${name}`, { name, worker, queue: queues[name]!, ...shared });
  }
}

export interface OperationFunctionsProps extends Shared {
  group: string;
  operations: [string, OperationDef][];
}

/** One handler folder's operations: a function each, started by hand (no route, no event source). */
export class OperationFunctions extends NestedStack {
  constructor(scope: Construct, id: string, { group, operations, ...shared }: OperationFunctionsProps) {
    super(scope, id, { description: `Fonella ${shared.settings.stage}: the operations of functions/${group.replaceAll('-', '/')}/` });
    for (const [name, op] of operations) {
      new FonellaFunction(this, `Operation-${name}`, {
        ...shared,
        name,
        description: `operation: ${op.summary}`,
        handler: op.handler,
        uses: op.uses,
        timeout: Duration.seconds(op.timeoutSeconds),
      });
    }
  }
}
