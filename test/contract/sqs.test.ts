// The webhook attempts' queue (shared/queues/webhook-queue.ts) through the real SQS client against the
// SQS emulator, over HTTP: a message waits its timer (the emulator's clock moved, not waited for), a gap
// over 15 minutes goes in legs that carry the rest, a receive hides a message for the visibility
// timeout and counts it, repeated receives move it to the dead-letter queue, and the client's MD5 checks
// pass. The emulator answers as SQS's JSON protocol does.
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { LOCAL_QUEUE_NAME, createSqsEmulator } from '../../lib/local/emulators/sqs';
import { MAX_DELAY_SECONDS, firstLeg, sqsWebhookQueue, type AttemptMessage } from '../../shared/queues/webhook-queue';
import { useEmulator } from '../support/emulator';
import { waitFor } from '../support/stack';

const sqs = createSqsEmulator({ maxReceiveCount: 2, visibilityTimeoutSeconds: 30 });
const emu = useEmulator(sqs);
const client = () => new SQSClient({ region: 'eu-central-1', endpoint: emu.baseUrl, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
const queueUrl = () => `${emu.baseUrl}/000000000000/${LOCAL_QUEUE_NAME}`;
const receive = async (wait = 0) => (await client().send(new ReceiveMessageCommand({ QueueUrl: queueUrl(), MaxNumberOfMessages: 10, WaitTimeSeconds: wait }))).Messages ?? [];
const advance = (seconds: number) => fetch(`${emu.baseUrl}/_simulate/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds }) });
const attempt: Omit<AttemptMessage, 'remainingSeconds'> = { userId: 'auth0|u', subscriptionId: 'wh_x', eventId: 'msg_y', attempt: 2 };

describe('the webhook queue on the SQS emulator', () => {
  it('a message waits its timer, to the second, on the emulator\'s clock', async () => {
    await sqsWebhookQueue(client(), queueUrl()).send(attempt, 5);
    expect(await receive()).toEqual([]);
    await advance(4);
    expect(await receive()).toEqual([]);
    await advance(1);
    const [m] = await receive();
    expect(JSON.parse(m!.Body!)).toEqual(attempt);
    expect(m!.Attributes?.ApproximateReceiveCount).toBe('1');
  });

  it('a gap over 15 minutes goes in legs: the timer now, the rest in the message, sent on until none is left', async () => {
    expect(firstLeg(attempt, 7_200)).toEqual({ body: { ...attempt, remainingSeconds: 7_200 - MAX_DELAY_SECONDS }, delay: MAX_DELAY_SECONDS });
    expect(firstLeg(attempt, 300)).toEqual({ body: attempt, delay: 300 });
    const queue = sqsWebhookQueue(client(), queueUrl());
    await queue.send(attempt, 1_800);
    await advance(900);
    const [first] = await receive();
    const body = JSON.parse(first!.Body!) as AttemptMessage;
    expect(body.remainingSeconds).toBe(900);
    await client().send(new DeleteMessageCommand({ QueueUrl: queueUrl(), ReceiptHandle: first!.ReceiptHandle }));
    await queue.sendOn(body);
    await advance(899);
    expect(await receive()).toEqual([]);
    await advance(1);
    const [last] = await receive();
    expect(JSON.parse(last!.Body!)).toEqual(attempt);
  });

  it('long polling answers as soon as a message is sent', async () => {
    const waiting = receive(5);
    await new Promise((r) => setTimeout(r, 50));
    await client().send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: '{"n":1}' }));
    expect((await waiting).map((m) => m.Body)).toEqual(['{"n":1}']);
  });

  it('a received message is hidden for the visibility timeout; received too often, it goes to the dead letters', async () => {
    const sent = sqs.motion!().started;
    await client().send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: '{"n":2}' }));
    // Visible, it waits for a receiver: under way (the local stack's motion, the tests' settle).
    expect(sqs.motion!()).toEqual({ active: 1, started: sent + 1 });
    expect(await receive()).toHaveLength(1);
    // Just received, it is on its way to the receiver's worker: still under way, for a moment.
    expect(sqs.motion!().active).toBe(1);
    expect(await receive()).toEqual([]);
    // Hidden, it waits for its time: not under way once that moment has passed.
    await waitFor('the handoff to pass', async () => sqs.motion!().active === 0);
    await advance(30);
    expect((await receive()).map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(['2']);
    await advance(30);
    expect(await receive()).toEqual([]);
    // A dead letter waits for a person: not under way either.
    expect(sqs.motion!().active).toBe(0);
    const state = await emu.inspect<{ messages: { queue: string; body: unknown }[] }>();
    expect(state.messages).toEqual([expect.objectContaining({ queue: `${LOCAL_QUEUE_NAME}-dead-letters`, body: { n: 2 } })]);
  });

  it('refuses an unsigned request, an unknown queue and a timer over 15 minutes, as SQS does; an injected fault is a 500', async () => {
    const unsigned = await fetch(emu.baseUrl, { method: 'POST', headers: { 'x-amz-target': 'AmazonSQS.SendMessage', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });
    expect(unsigned.status).toBe(403);
    await expect(client().send(new SendMessageCommand({ QueueUrl: `${emu.baseUrl}/000000000000/nope`, MessageBody: 'x' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(client().send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: 'x', DelaySeconds: 901 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await emu.fault({ mode: 'error' });
    await expect(sqsWebhookQueue(client(), queueUrl()).send(attempt, 0)).rejects.toMatchObject({ name: 'InternalError' });
  });
});
