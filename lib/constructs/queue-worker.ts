// A queue worker's function (lib/queues.ts): the shared function construct, fed by its SQS queue
// through an event source mapping: partial batch responses, the entry's batch size and maximum
// concurrency (each message is one delivery, handled side by side). The queue itself lives in the parent
// stack (`workerQueue`), since other functions send to it.
import { Duration, RemovalPolicy, Validations, type CfnResource } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { QueueWorkerDef } from '../../shared/streams/queue-worker-def';
import { FonellaFunction, type FonellaFunctionProps } from './fonella-function';

/**
 * A queue worker's queue, with a dead-letter queue (14 days) for messages its function failed
 * `maxReceiveCount` times, and an alarm as soon as one lands there. Encrypted, TLS only.
 */
export function workerQueue(scope: Construct, stage: string, def: QueueWorkerDef): Queue {
  const name = `fonella-${stage}-${def.queue}`;
  const deadLetters = new Queue(scope, `${def.name}-DeadLetters`, {
    queueName: `${name}-dead-letters`,
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  Validations.of(deadLetters.node.defaultChild as CfnResource).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the webhook attempts.' });
  new Alarm(scope, `${def.name}-DeadLettersAlarm`, {
    alarmName: `${name}-dead-letters`,
    alarmDescription: `Messages ${def.name} failed ${def.maxReceiveCount} times: look at its logs.`,
    metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  return new Queue(scope, `${def.name}-Queue`, {
    queueName: name,
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
    // A message waits 15 minutes at most before it is sent on: four days is far more than it needs.
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: def.maxReceiveCount },
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

export interface QueueWorkerProps extends Omit<FonellaFunctionProps, 'description' | 'handler' | 'uses' | 'timeout' | 'secretVars' | 'reservedConcurrency'> {
  worker: QueueWorkerDef;
  queue: IQueue;
}

export class QueueWorker extends FonellaFunction {
  constructor(scope: Construct, id: string, { worker, queue, ...props }: QueueWorkerProps) {
    super(scope, id, { ...props, description: `queue: ${worker.summary}`, handler: worker.handler, uses: worker.uses, timeout: Duration.seconds(worker.timeoutSeconds) });
    this.fn.addEventSource(new SqsEventSource(queue, { batchSize: worker.batchSize, maxConcurrency: worker.maxConcurrency, reportBatchItemFailures: true }));
  }
}
