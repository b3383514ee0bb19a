// One Lambda function of the API (a route or a stream worker) with the defaults every function
// shares: Node.js 24 on arm64, ESM bundle from lib/bundling.ts, a log group with retention, an error
// alarm, a role that may write only to that log group, and only the table grant and environment its
// manifest entry's `uses` asks for (its KMS grants too, where it seals partners' bank details or
// customers' signing secrets; its send grant on the webhook attempts' queue, where it queues one). A function whose providers have secret variables gets no secret
// in its configuration: it gets the AWS Parameters and Secrets Lambda Extension (a layer), the name
// of the stage secret and the keys it may read from it, and may read that secret alone; it reads the
// keys at cold start (shared/config/secrets.ts), so a rotated secret reaches the next cold start.
import { CfnResource, Duration, Names, Reference, RemovalPolicy, Stack, Tokenization, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, ParamsAndSecretsLayerVersion, ParamsAndSecretsVersions, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import type { ProviderName } from '../../shared/errors';
import { BUNDLE, FUNCTION_MEMORY_MB, bundleAliases } from '../bundling';
import { PROVIDER_ENV, functionSecretKeys, type StackSettings } from '../settings';

export interface FonellaFunctionProps {
  /** The manifest key: the function is named fonella-<stage>-<name>. */
  name: string;
  description: string;
  /** The handler file, relative to `root`. */
  handler: string;
  uses: { table?: 'read' | 'write'; providers?: ProviderName[]; payoutKey?: 'encrypt' | 'decrypt'; signingKey?: 'encrypt' | 'decrypt'; webhookQueue?: 'send'; exportsBucket?: 'read' | 'write' };
  /** Secret variables beyond those of the providers in `uses`. */
  secretVars?: string[];
  /**
   * A route that takes API keys: it verifies the portal's JWTs itself (the stage's Auth0 issuer and
   * audience) and counts each key's requests, and may so write the keys' rate counters and
   * `lastUsedAt` even where it only reads the table otherwise.
   */
  apiKeys?: boolean;
  /**
   * A route that checks the portal's access tokens itself (the routes that take keys, the admin routes:
   * shared/http/route-def.ts `checksBearerInFunction`): it reads the stage's Auth0 issuer and audience.
   */
  accessTokens?: boolean;
  timeout: Duration;
  /** Packages left out of the bundle and installed beside it, which it loads at the first request that needs them (lib/bundling.ts `deferredPackages`). */
  installs?: string[];
  /** Reserved concurrency: a cap for functions that outsiders can flood. */
  reservedConcurrency?: number;
  root: string;
  table: ITable;
  secret: ISecret;
  /** The stage's key for partners' bank details (granted to functions whose `uses.payoutKey` asks). */
  payoutKey: IKey;
  /** The stage's key for the signing secrets of customers' tools (granted to functions whose `uses.signingKey` asks). */
  signingKey: IKey;
  /** The queue webhook attempts run on (granted to functions whose `uses.webhookQueue` asks). */
  webhookQueue: IQueue;
  /** The data exports' bucket (granted to functions whose `uses.exportsBucket` asks). */
  exportsBucket: IBucket;
  settings: StackSettings;
}

/** What every function gets, whatever it uses. */
export function baseEnvironment(settings: StackSettings): Record<string, string> {
  return {
    STAGE: settings.stage,
    SERVICE_NAME: 'fonella-api',
    POWERTOOLS_SERVICE_NAME: 'fonella-api',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    CORS_ORIGINS: settings.corsOrigins.join(','),
    PORTAL_URL: settings.portalUrl,
    PARTNER_PORTAL_URL: settings.partnerPortalUrl,
    MAX_BODY_BYTES: '65536',
    VALIDATE_RESPONSES: settings.stage === 'prod' ? '0' : '1',
    PUBLIC_FORM_RETENTION_DAYS: String(settings.publicFormRetentionDays),
    RATE_LIMIT_CONTACT_PER_HOUR: String(settings.publicFormRateLimits.contactPerHour),
    RATE_LIMIT_CONTACT_WITHOUT_TOKEN_PER_HOUR: String(settings.publicFormRateLimits.contactWithoutTokenPerHour),
    RATE_LIMIT_CONTACT_WITHOUT_TOKEN_PER_EMAIL_PER_DAY: String(settings.publicFormRateLimits.contactWithoutTokenPerEmailPerDay),
    RATE_LIMIT_SUPPORT_TICKET_PER_HOUR: String(settings.publicFormRateLimits.supportTicketPerHour),
    RATE_LIMIT_CALLBACK_PER_HOUR: String(settings.publicFormRateLimits.callbackPerHour),
    RATE_LIMIT_CALLBACK_PER_NUMBER_PER_DAY: String(settings.publicFormRateLimits.callbackPerNumberPerDay),
    RATE_LIMIT_CALL_REPORTS_PER_CALL_PER_DAY: String(settings.mailBounds.callReportsPerCallPerDay),
    RATE_LIMIT_CALL_REPORTS_PER_USER_PER_DAY: String(settings.mailBounds.callReportsPerUserPerDay),
    RATE_LIMIT_EMAIL_CONFIRMATIONS_PER_USER_PER_DAY: String(settings.mailBounds.emailConfirmationsPerUserPerDay),
    DEVICES_PER_USER_MAX: String(settings.mailBounds.devicesPerUser),
    SIGN_IN_ALERT_WINDOW_MINUTES: String(settings.mailBounds.signInAlertWindowMinutes),
    QUOTA_ORGANIZATIONS_PER_USER: String(settings.quotas.organizationsPerUser),
    QUOTA_HOTLINES_PER_ORGANIZATION: String(settings.quotas.hotlinesPerOrganization),
    QUOTA_AGENT_PHONES_PER_USER: String(settings.quotas.agentPhonesPerUser),
    TOOLS_PER_USER: String(settings.tools.perUser),
    TOOL_TIMEOUT_MIN_SECONDS: String(settings.tools.timeoutMinSeconds),
    TOOL_TIMEOUT_MAX_SECONDS: String(settings.tools.timeoutMaxSeconds),
    TOOL_TIMEOUT_DEFAULT_SECONDS: String(settings.tools.timeoutDefaultSeconds),
    WEBHOOK_ENDPOINTS_PER_USER: String(settings.webhooks.endpointsPerUser),
    WEBHOOK_RETENTION_DAYS: String(settings.webhooks.retentionDays),
    CALL_RETENTION_DAYS_DEFAULT: String(settings.privacy.callRetentionDays.default),
    CALL_RETENTION_DAYS_MIN: String(settings.privacy.callRetentionDays.min),
    CALL_RETENTION_DAYS_MAX: String(settings.privacy.callRetentionDays.max),
    EXPORTS_PER_USER_PER_DAY: String(settings.privacy.exportsPerUserPerDay),
    EXPORT_RETENTION_DAYS: String(settings.privacy.exportRetentionDays),
    EXPORT_LINK_SECONDS: String(settings.privacy.exportLinkMinutes * 60),
  };
}

/** What a route that checks access tokens itself reads (shared/config/access-tokens.ts): the authorizer's issuer and audience. */
export function accessTokenEnvironment(settings: StackSettings): Record<string, string> {
  return { AUTH0_ISSUER: `https://${settings.auth0Domain}/`, AUTH0_AUDIENCE: settings.auth0Audience };
}

/** What a route that takes API keys reads besides (shared/config/api-keys.ts): the per-key rate. */
export function apiKeyEnvironment(settings: StackSettings): Record<string, string> {
  return { API_KEY_RATE_LIMIT_PER_MINUTE: String(settings.apiKeys.requestsPerMinute) };
}

/** The partition keys a route that takes API keys writes beside its own rows: each key's rate counters and lookup item. */
export const API_KEY_WRITE_PREFIXES = ['RATELIMIT#api-key#*', 'APIKEY#*'] as const;

/**
 * A function's environment: the base, the table's name if it uses the table, its providers' plain
 * settings and, when it reads secrets, the stage secret's name and the keys it reads. Never a secret
 * value or a reference that CloudFormation would resolve into one.
 */
export function functionEnvironment(
  settings: StackSettings,
  uses: FonellaFunctionProps['uses'],
  opts: { tableName?: string; secretVars?: string[]; payoutKeyArn?: string; signingKeyArn?: string; webhookQueueUrl?: string; apiKeys?: boolean; accessTokens?: boolean; exportsBucketName?: string } = {},
): { environment: Record<string, string>; secretKeys: string[] } {
  const environment = baseEnvironment(settings);
  if (opts.apiKeys || opts.accessTokens) Object.assign(environment, accessTokenEnvironment(settings));
  if (opts.apiKeys) Object.assign(environment, apiKeyEnvironment(settings));
  if (uses.table && opts.tableName) environment.TABLE_NAME = opts.tableName;
  if (uses.payoutKey && opts.payoutKeyArn) environment.PAYOUT_KEY_ID = opts.payoutKeyArn;
  if (uses.signingKey && opts.signingKeyArn) environment.SIGNING_KEY_ID = opts.signingKeyArn;
  if (uses.webhookQueue && opts.webhookQueueUrl) environment.WEBHOOK_QUEUE_URL = opts.webhookQueueUrl;
  if (uses.exportsBucket && opts.exportsBucketName) environment.EXPORTS_BUCKET = opts.exportsBucketName;
  for (const provider of uses.providers ?? []) {
    for (const key of PROVIDER_ENV[provider].plain) {
      const value = settings.environment[key];
      if (value !== undefined) environment[key] = value;
    }
  }
  const secretKeys = functionSecretKeys(uses.providers, opts.secretVars);
  if (secretKeys.length > 0) {
    environment.PROVIDER_SECRET_NAME = settings.providerSecretName;
    environment.SECRET_KEYS = secretKeys.join(',');
  }
  return { environment, secretKeys };
}

/**
 * The extension, for functions that read secrets. Its cache (5 min) serves repeated reads within one
 * sandbox; the loader reads once per cold start. Its own timeout keeps a slow Secrets Manager call
 * inside the loader's budget (shared/config/secrets.ts SECRETS_TIMEOUT_MS).
 */
export const SECRETS_EXTENSION = ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
  secretsManagerTtl: Duration.minutes(5),
  secretsManagerTimeout: Duration.seconds(2),
});

/** Log retention of every log group of the stack (functions and API access logs). */
export const logRetention = (settings: StackSettings) =>
  settings.stage === 'prod' ? RetentionDays.THREE_MONTHS : RetentionDays.TWO_WEEKS;

/**
 * How cdk-nag names a reference to an attribute of a resource of this app in its findings, or
 * undefined for anything else (an imported table gets no acknowledgment): `<LogicalId.Arn>` in the
 * resource's own stack; in a nested stack the parameter CDK passes it in as,
 * `<referenceto<the resource's unique id><attribute>>` (CDK's naming: test/infra/nag.test.ts fails if it
 * changes).
 */
function nagRef(scope: Construct, token: string): string | undefined {
  const ref = Tokenization.reverseString(token).firstToken;
  if (!(ref instanceof Reference) || !CfnResource.isCfnResource(ref.target)) return undefined;
  const consumer = Stack.of(scope);
  if (Stack.of(ref.target) === consumer) return `<${consumer.resolve(ref.target.logicalId) as string}.${ref.displayName}>`;
  return `<referenceto${Names.nodeUniqueId(ref.target.node)}${ref.displayName}>`;
}

/** The exports bucket's objects the functions may touch (shared/providers/s3/adapter.ts `accountPrefix`). */
const EXPORT_OBJECTS = 'accounts/*';

export class FonellaFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: FonellaFunctionProps) {
    super(scope, id);
    const { uses, settings } = props;
    const functionName = `fonella-${settings.stage}-${props.name}`;
    this.functionName = functionName;

    const { environment, secretKeys } = functionEnvironment(settings, uses, {
      tableName: props.table.tableName,
      secretVars: props.secretVars,
      payoutKeyArn: props.payoutKey.keyArn,
      signingKeyArn: props.signingKey.keyArn,
      webhookQueueUrl: props.webhookQueue.queueUrl,
      apiKeys: props.apiKeys,
      accessTokens: props.accessTokens,
      exportsBucketName: props.exportsBucket.bucketName,
    });

    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: logRetention(settings),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Not AWSLambdaBasicExecutionRole: that may write to every log group of the account.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    // What the extension calls with this role's credentials: the stage secret, nothing else. A secret
    // imported by name has a partial ARN: its real ARN ends in `-` and six random characters (as CDK's
    // own grants match it).
    if (secretKeys.length > 0) {
      const secretArn = props.secret.secretFullArn ?? `${props.secret.secretArn}-??????`;
      role.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }));
    }

    this.fn = new NodejsFunction(this, 'Fn', {
      functionName,
      description: props.description,
      entry: join(props.root, props.handler),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: FUNCTION_MEMORY_MB,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      role,
      logGroup,
      environment,
      paramsAndSecrets: secretKeys.length > 0 ? SECRETS_EXTENSION : undefined,
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE.target,
        minify: BUNDLE.minify,
        mainFields: [...BUNDLE.mainFields],
        banner: BUNDLE.banner,
        esbuildArgs: { '--legal-comments': BUNDLE.legalComments, '--alias': Object.entries(bundleAliases()).map(([from, to]) => `${from}=${to}`) },
        externalModules: [...BUNDLE.external, ...(props.installs ?? [])],
        nodeModules: props.installs?.length ? props.installs : undefined,
        sourceMap: false,
        // esbuild's per-bundle size summary is noise in `cdk synth`; errors still show.
        logLevel: LogLevel.ERROR,
      },
    });

    if (uses.table === 'read') props.table.grantReadData(this.fn);
    if (uses.table === 'write') props.table.grantReadWriteData(this.fn);
    // A reading route that takes API keys updates only the keys' own items: their rate counters and lookup items.
    if (props.apiKeys && uses.table !== 'write') {
      role.addToPolicy(
        new PolicyStatement({
          actions: ['dynamodb:UpdateItem'],
          resources: [props.table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...API_KEY_WRITE_PREFIXES] } },
        }),
      );
    }
    // Sealing needs only new data keys; opening also their unwrapping.
    if (uses.payoutKey) props.payoutKey.grant(this.fn, 'kms:GenerateDataKey');
    if (uses.payoutKey === 'decrypt') props.payoutKey.grantDecrypt(this.fn);
    if (uses.signingKey) props.signingKey.grant(this.fn, 'kms:GenerateDataKey');
    if (uses.signingKey === 'decrypt') props.signingKey.grantDecrypt(this.fn);
    if (uses.webhookQueue === 'send') props.webhookQueue.grantSendMessages(this.fn);
    // Download links are signed with the function's role: it may read the accounts' files, and the
    // worker and the teardown also list, write and delete them. Nothing outside `accounts/`.
    if (uses.exportsBucket) {
      const objects = props.exportsBucket.arnForObjects(EXPORT_OBJECTS);
      const write = uses.exportsBucket === 'write';
      role.addToPolicy(new PolicyStatement({ actions: ['s3:GetObject', ...(write ? ['s3:PutObject', 's3:DeleteObject'] : [])], resources: [objects] }));
      if (write) {
        role.addToPolicy(
          new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.exportsBucket.bucketArn], conditions: { StringLike: { 's3:prefix': [EXPORT_OBJECTS] } } }),
        );
      }
      const bucketArn = nagRef(this, props.exportsBucket.bucketArn);
      if (bucketArn) {
        const policy = role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${bucketArn}/${EXPORT_OBJECTS}]`,
          reason: "The accounts' export files: one object per file, under the prefix of accounts the function serves.",
        });
      }
    }

    const tableArn = nagRef(this, props.table.tableArn);
    if (uses.table && tableArn) {
      const policy = role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${tableArn}/index/*]`,
        reason: 'CDK table grant: queries on any GSI of the one table this function uses.',
      });
    }

    new Alarm(this, 'Errors', {
      alarmName: `${functionName}-errors`,
      metric: this.fn.metricErrors({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
