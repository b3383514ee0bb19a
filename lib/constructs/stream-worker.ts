// A stream worker's function: the shared function construct, fed by the table's stream through an
// event source mapping built from its manifest entry: the entry's filter as Lambda filter criteria,
// partial batch responses, bisect on error, bounded retries and record age, and an encrypted SQS
// queue (14 days) for what still fails, with an alarm as soon as anything lands there.
import { Duration, Validations, type CfnResource } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { filterPattern, type WorkerDef } from '../../shared/streams/worker-def';
import { FonellaFunction, type FonellaFunctionProps } from './fonella-function';

export interface StreamWorkerProps
  extends Omit<FonellaFunctionProps, 'description' | 'handler' | 'uses' | 'timeout' | 'secretVars' | 'reservedConcurrency'> {
  worker: WorkerDef;
}

export class StreamWorker extends FonellaFunction {
  readonly failures: Queue;

  constructor(scope: Construct, id: string, { worker, ...props }: StreamWorkerProps) {
    super(scope, id, {
      ...props,
      description: `stream: ${worker.summary}`,
      handler: worker.handler,
      uses: worker.uses,
      timeout: Duration.seconds(30),
    });

    this.failures = new Queue(this, 'Failures', {
      queueName: `${this.functionName}-failures`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failures.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the stream event source.',
    });

    this.fn.addEventSource(
      new DynamoEventSource(props.table as ITable, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: worker.batchSize,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: worker.retryAttempts,
        maxRecordAge: Duration.seconds(worker.maxRecordAgeSeconds),
        onFailure: new SqsDlq(this.failures),
        filters: [FilterCriteria.filter(filterPattern(worker))],
      }),
    );

    new Alarm(this, 'Parked', {
      alarmName: `${this.functionName}-parked`,
      alarmDescription: 'Stream records the worker gave up on: fix the cause, then re-drive them.',
      metric: this.failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
