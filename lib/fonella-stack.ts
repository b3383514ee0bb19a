// The Fonella API on AWS: the single table with its stream, the HTTP API with the Auth0 JWT
// authorizer, one function per manifest route and one per stream worker. Nothing here is written
// per route or per worker: the stack loops over the manifests.
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TABLE } from '../shared/db/table';
import { needsAuthorizer, type RouteDef } from '../shared/http/route-def';
import type { WorkerDef } from '../shared/streams/worker-def';
import { RouteFunction } from './constructs/route-function';
import { StreamWorker } from './constructs/stream-worker';
import type { StackSettings } from './settings';

export interface FonellaStackProps extends StackProps {
  settings: StackSettings;
  routes: Record<string, RouteDef>;
  workers: Record<string, WorkerDef>;
  /** Repository root: handler paths in the manifest are relative to it. */
  root: string;
}

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

    const api = new HttpApi(this, 'Api', {
      apiName: `fonella-${settings.stage}`,
      corsPreflight: {
        allowOrigins: settings.corsOrigins,
        allowMethods: [CorsHttpMethod.ANY],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        maxAge: undefined,
      },
    });
    const authorizer = new HttpJwtAuthorizer('Auth0', `https://${settings.auth0Domain}/`, {
      jwtAudience: [settings.auth0Audience],
    });

    for (const [name, route] of Object.entries(props.routes)) {
      const { fn } = new RouteFunction(this, `Route-${name}`, { name, route, root: props.root, table, secret, settings });
      api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${name}-integration`, fn),
        authorizer: needsAuthorizer(route) ? authorizer : undefined,
      });
    }

    for (const [name, worker] of Object.entries(props.workers)) {
      new StreamWorker(this, `Worker-${name}`, { name, worker, root: props.root, table, secret, settings });
    }

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'TableName', { value: table.tableName });
  }
}
