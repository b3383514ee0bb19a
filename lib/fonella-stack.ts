// The Fonella API on AWS: the single table with its stream, the HTTP API with the Auth0 JWT
// authorizer and a throttle of its own for each public and webhook route, one function per manifest
// route, one per stream worker and one per operation (started by hand). Nothing here is written per
// route, worker or operation: the stack loops over the manifests. The webhook attempts' queue sits beside
// the table, with the queue worker that consumes it. The functions (with their API routes
// and alarms) live in nested stacks, one per handler folder (lib/constructs/function-stack.ts).
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type CfnResource, type StackProps } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, LogGroupLogDestination, type CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { Unit } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, Billing, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { FilterPattern, LogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TABLE } from '../shared/db/table';
import type { RouteDef } from '../shared/http/route-def';
import type { QueueWorkerDef } from '../shared/streams/queue-worker-def';
import type { WorkerDef } from '../shared/streams/worker-def';
import { logRetention } from './constructs/fonella-function';
import { OperationFunctions, QueueWorkerFunctions, RouteFunctions, WorkerFunctions, alarmOn5xx, groupEntries } from './constructs/function-stack';
import { workerQueue } from './constructs/queue-worker';
import type { OperationDef } from './operations';
import { THROTTLED_ACCESS, type StackSettings, type Throttle, type ThrottledAccess } from './settings';

export interface FonellaStackProps extends StackProps {
  settings: StackSettings;
  routes: Record<string, RouteDef>;
  workers: Record<string, WorkerDef>;
  /** Functions fed by an SQS queue (lib/queues.ts): the webhook attempts' consumer. */
  queueWorkers: Record<string, QueueWorkerDef>;
  /** Functions started by hand (lib/operations.ts). */
  operations: Record<string, OperationDef>;
  /** Repository root: handler paths in the manifest are relative to it. */
  root: string;
}

/**
 * The throttle of each route whose access has one of its own (settings.routeThrottles: the public and
 * webhook routes), by route key (`POST /v1/webhooks/stripe`); the other routes keep the stage default.
 */
export function routeThrottles(routes: Record<string, RouteDef>, settings: Pick<StackSettings, 'routeThrottles'>): Record<string, Throttle> {
  const throttles: Record<string, Throttle> = {};
  for (const r of Object.values(routes)) {
    if ((THROTTLED_ACCESS as readonly string[]).includes(r.access)) throttles[`${r.method} ${r.path}`] = settings.routeThrottles[r.access as ThrottledAccess];
  }
  return throttles;
}

/** Access-log lines (see the stage's format) of requests answered with a 5xx. */
export const API_5XX_PATTERN = '{ $.status = 5* }';

export class FonellaStack extends Stack {
  constructor(scope: Construct, id: string, props: FonellaStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const table = new TableV2(this, 'Table', {
      tableName: `fonella-${settings.stage}`,
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: TABLE.indexes.map((i) => ({
        indexName: i.name,
        partitionKey: { name: i.partitionKey, type: AttributeType.STRING },
        sortKey: { name: i.sortKey, type: AttributeType.STRING },
      })),
      timeToLiveAttribute: TABLE.ttlAttribute,
      dynamoStream: StreamViewType[TABLE.stream],
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const secret = Secret.fromSecretNameV2(this, 'ProviderSecrets', settings.providerSecretName);

    // Partners' bank details are sealed with data keys of this key (shared/crypto/envelope.ts). Kept
    // when the stack goes: without it the sealed details in the table cannot be opened again.
    const payoutKey = new Key(this, 'PayoutKey', {
      alias: `alias/fonella-${settings.stage}-payout`,
      description: `Fonella ${settings.stage}: envelope key of partners' bank details`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The signing secrets of customers' tools are sealed with data keys of this one: another key than
    // the payout key, so that the functions that open them cannot open bank details. Kept for the
    // same reason.
    const signingKey = new Key(this, 'SigningKey', {
      alias: `alias/fonella-${settings.stage}-signing`,
      description: `Fonella ${settings.stage}: envelope key of the signing secrets of customers' tools`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The customers' data exports (shared/domain/data-export.ts): private, encrypted at rest (SSE-S3),
    // reachable over TLS only, each object deleted by the lifecycle rule the stated days after it was
    // written (S3 runs expirations once a day: within a day after that), unversioned (a deletion is
    // final). Reads are logged to a bucket of their own. Both kept when the stack goes; the lifecycle
    // empties the exports bucket anyway.
    const exportLogs = new Bucket(this, 'ExportsAccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(settings.stage === 'prod' ? 90 : 14) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(exportLogs.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket holds the exports bucket access logs; logging its own access would log the logs.',
    });
    const exportsBucket = new Bucket(this, 'Exports', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      serverAccessLogsBucket: exportLogs,
      serverAccessLogsPrefix: 'exports/',
      lifecycleRules: [
        { id: 'expire-exports', expiration: Duration.days(settings.privacy.exportRetentionDays), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const api = new HttpApi(this, 'Api', {
      apiName: `fonella-${settings.stage}`,
      corsPreflight: {
        allowOrigins: settings.corsOrigins,
        allowMethods: [CorsHttpMethod.ANY],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        maxAge: undefined,
      },
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      logGroupName: `/aws/apigateway/fonella-${settings.stage}`,
      retention: logRetention(settings),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The default stage, made explicitly (same id as the one HttpApi would make) for its access log
    // and throttles (the default route throttle, and the public and webhook routes' own). AWS WAF cannot be associated with an HTTP API stage: a WebACL needs CloudFront
    // in front of the API (or a REST API).
    const stage = api.addStage('DefaultStage', {
      autoDeploy: true,
      throttle: settings.apiThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            time: AccessLogField.contextRequestTime(),
            ip: AccessLogField.contextIdentitySourceIp(),
            routeKey: AccessLogField.contextRouteKey(),
            status: AccessLogField.contextStatus(),
            latency: AccessLogField.contextResponseLatency(),
            integrationLatency: AccessLogField.contextIntegrationLatency(),
            responseLength: AccessLogField.contextResponseLength(),
            error: AccessLogField.contextErrorMessage(),
            integrationError: AccessLogField.contextIntegrationErrorMessage(),
            authorizerError: AccessLogField.contextAuthorizerError(),
          }),
        ),
      },
    });

    // Alarms on what callers see: 5xx answers, from the access log. The functions' Lambda `Errors`
    // alarms stay (crashes and timeouts), but they cannot see an outage: the problem mapper answers
    // every exception as a normal 500 (or a 502/503), which Lambda counts as a success.
    // Per route: one metric filter over the access log puts each 5xx line's routeKey (`GET /v1/me`,
    // exactly the manifest's method and path) in a `Route` dimension, and each route's alarm reads its
    // own value. One filter rather than one per route: a log group takes at most 100 metric filters,
    // and the manifest grows. (The HTTP API's own per-route numbers need detailed metrics on the
    // stage, AWS/ApiGateway `5xx` by ApiId, Stage and Route, billed for every route and metric, and
    // aws-apigatewayv2 has no route metric helper; its HttpStage.metricServerError is stage-wide, so
    // it backs the stage-wide alarm below.)
    // `status` is a JSON string in the access line (the format quotes $context.status), so the
    // pattern matches it as text (`5*`) rather than comparing numbers.
    const serverErrors = new MetricFilter(this, 'Api5xx', {
      logGroup: accessLogs,
      filterPattern: FilterPattern.literal(API_5XX_PATTERN),
      metricNamespace: `Fonella/${settings.stage}`,
      metricName: 'Api5xx',
      metricValue: '1',
      dimensions: { Route: '$.routeKey' },
      unit: Unit.COUNT,
    });
    // Count, not rate: most routes see a few requests an hour, where a rate swings on one request or
    // needs a traffic floor, while every 5xx is a caller who saw a failure (expected refusals are 4xx).
    // An outage with no customer traffic still shows: a monitor calling /v1/health?deep=1 gets 503s.
    alarmOn5xx(
      this,
      'Api5xxAlarm',
      `fonella-${settings.stage}-api-5xx`,
      'Any 5xx the API answered (API Gateway metrics): every route, and failures before a route was matched.',
      stage.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
    );

    const authorizer = new HttpJwtAuthorizer('Auth0', `https://${settings.auth0Domain}/`, {
      jwtAudience: [settings.auth0Audience],
    });

    // The queues of the queue workers, here beside the table: other functions send to them. One today,
    // the webhook attempts' (shared/queues/webhook-queue.ts says why SQS).
    const queues = Object.fromEntries(Object.entries(props.queueWorkers).map(([name, def]) => [name, workerQueue(this, settings.stage, def)]));
    const webhookQueue = Object.entries(props.queueWorkers).find(([, def]) => def.queue === 'webhook-deliveries')?.[0];
    if (!webhookQueue) throw new Error('no queue worker consumes the webhook-deliveries queue (lib/queues.ts)');

    const shared = { root: props.root, table, secret, payoutKey, signingKey, webhookQueue: queues[webhookQueue]!, exportsBucket, settings };
    const throttled = routeThrottles(props.routes, settings);
    for (const [group, routes] of groupEntries(props.routes)) {
      const functions = new RouteFunctions(this, `Routes-${group}`, { group, routes, api, authorizer, serverErrors, ...shared });
      // The stage names these routes in its route settings: they must exist before it is updated.
      if (routes.some(([, r]) => `${r.method} ${r.path}` in throttled)) stage.node.addDependency(functions);
    }
    // Each public and webhook route its own throttle (`routeThrottles`), in place of the stage default.
    (stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      Object.entries(throttled).map(([routeKey, t]) => [routeKey, { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit }]),
    );
    for (const [group, workers] of groupEntries(props.workers)) {
      new WorkerFunctions(this, `Workers-${group}`, { group, workers, ...shared });
    }
    for (const [group, queueWorkers] of groupEntries(props.queueWorkers)) {
      new QueueWorkerFunctions(this, `QueueWorkers-${group}`, { group, workers: queueWorkers, queues, ...shared });
    }
    for (const [group, operations] of groupEntries(props.operations)) {
      new OperationFunctions(this, `Operations-${group}`, { group, operations, ...shared });
    }

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'ExportsBucket', { value: exportsBucket.bucketName });
  }
}
