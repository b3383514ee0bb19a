// Amazon SQS emulator: the operations the webhook attempts' queue needs, in SQS's JSON protocol (what
// @aws-sdk/client-sqs speaks: POST / with `X-Amz-Target: AmazonSQS.<Operation>`), so the local stack
// runs the code path Lambda runs:
//   SendMessage { QueueUrl, MessageBody, DelaySeconds? (0..900) }         → { MessageId, MD5OfMessageBody }
//   ReceiveMessage { QueueUrl, MaxNumberOfMessages?, WaitTimeSeconds?, VisibilityTimeout? }
//                  → { Messages: [{ MessageId, ReceiptHandle, MD5OfBody, Body, Attributes }] }
//   DeleteMessage { QueueUrl, ReceiptHandle } · DeleteMessageBatch { QueueUrl, Entries }
//   GetQueueAttributes { QueueUrl } → ApproximateNumberOfMessages(/NotVisible/Delayed)
// A message is delayed until its timer ends, then visible; a receive hides it for the visibility
// timeout and counts the receive; after `maxReceiveCount` receives without a delete it moves to the
// dead-letter queue, as a redrive policy does. Long polling waits up to WaitTimeSeconds for a message.
// The MD5 digests are real: the SDK checks them.
//
// Time is the emulator's own clock, which tests move instead of waiting:
//   POST /_simulate/advance { seconds }   the clock moves on: delayed and hidden messages whose time
//                                          came are visible now (the answer lists them)
//   GET  /_inspect                         every queue with its messages (body, state, due time, receives)
//                                          and the clock's offset
// plus the kit's /_faults (the next requests answer 500 InternalError) and /_reset (messages and clock).
import { createHash, randomUUID } from 'node:crypto';
import * as z from 'zod';
import { LOCAL_WEBHOOK_QUEUE } from '../../../../shared/config/outbound-webhooks';
import { Router, json, type EmulatorDefinition } from '../kit';

const ACCOUNT = '000000000000';
const JSON_TYPE = { 'content-type': 'application/x-amz-json-1.0' };
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

interface Message {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  /** When it may be received (its timer, or its visibility timeout after a receive). */
  visibleAt: number;
  receives: number;
  receiptHandle?: string;
  /** The real time of its last receive (its motion: on its way to the receiver's worker). */
  receivedAtMs?: number;
}

/** How long a received message counts as under way before its receiver's own count takes over. */
const HANDOFF_MS = 1000;

interface Queue {
  name: string;
  messages: Message[];
  /** Receives after which a message moves to `deadLetters`. */
  maxReceiveCount?: number;
  deadLetters?: string;
  visibilityTimeoutSeconds: number;
  sent: number;
  deleted: number;
}

// SQS also sends its old query protocol's code in `x-amzn-query-error`; the SDK then names the error by
// it. Left out here: the SDK names it by `__type`, as the operations' own error shapes do.
const sqsError = (code: string, message: string, status = 400) => json({ __type: `com.amazonaws.sqs#${code}`, message }, status, JSON_TYPE);

const sendSchema = z.object({ QueueUrl: z.string(), MessageBody: z.string().min(1).max(262_144), DelaySeconds: z.number().int().min(0).max(900).optional() });
const receiveSchema = z.object({
  QueueUrl: z.string(),
  MaxNumberOfMessages: z.number().int().min(1).max(10).optional(),
  WaitTimeSeconds: z.number().int().min(0).max(20).optional(),
  VisibilityTimeout: z.number().int().min(0).max(43_200).optional(),
});
const deleteSchema = z.object({ QueueUrl: z.string(), ReceiptHandle: z.string() });
const deleteBatchSchema = z.object({ QueueUrl: z.string(), Entries: z.array(z.object({ Id: z.string(), ReceiptHandle: z.string() })).min(1).max(10) });
const queueSchema = z.object({ QueueUrl: z.string() });

export interface SqsEmulator extends EmulatorDefinition {
  /** The emulator's clock (ms): the real one plus what tests advanced it by. */
  now(): number;
}

/** The local stack's queue names: the webhook attempts' queue and its dead letters (lib/queues.ts `deliverWebhook`). */
export const LOCAL_QUEUE_NAME = new URL(LOCAL_WEBHOOK_QUEUE.url).pathname.split('/').pop()!;

export function createSqsEmulator(opts: { maxReceiveCount?: number; visibilityTimeoutSeconds?: number } = {}): SqsEmulator {
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  let baseUrl: string = LOCAL_WEBHOOK_QUEUE.endpoint;
  const queues = new Map<string, Queue>();
  const addQueue = (name: string, extra: Partial<Queue> = {}) =>
    queues.set(name, { name, messages: [], visibilityTimeoutSeconds: opts.visibilityTimeoutSeconds ?? 180, sent: 0, deleted: 0, ...extra });
  const seed = () => {
    queues.clear();
    addQueue(`${LOCAL_QUEUE_NAME}-dead-letters`);
    addQueue(LOCAL_QUEUE_NAME, { maxReceiveCount: opts.maxReceiveCount ?? 5, deadLetters: `${LOCAL_QUEUE_NAME}-dead-letters` });
  };
  seed();
  const urlOf = (name: string) => `${baseUrl}/${ACCOUNT}/${name}`;
  // The queue a QueueUrl names, whatever host it was written with (the SDK sends it as given).
  const queueOf = (url: string) => queues.get(url.split('/').pop() ?? '');
  const visible = (q: Queue, t = now()) => q.messages.filter((m) => m.visibleAt <= t);
  /** A queue that is some queue's dead-letter queue. */
  const dead = (q: Queue) => [...queues.values()].some((other) => other.deadLetters === q.name);
  const wake: (() => void)[] = [];
  const notify = () => {
    for (const w of wake.splice(0)) w();
  };

  /** Moves messages received too often to the dead-letter queue. */
  const redrive = (q: Queue) => {
    if (!q.maxReceiveCount || !q.deadLetters) return;
    const dead = queues.get(q.deadLetters);
    for (const m of [...q.messages]) {
      if (m.receives >= q.maxReceiveCount && m.visibleAt <= now()) {
        q.messages.splice(q.messages.indexOf(m), 1);
        dead?.messages.push({ ...m, receiptHandle: undefined });
      }
    }
  };

  const operations: Record<string, (body: unknown) => Response | Promise<Response>> = {
    SendMessage: (body) => {
      const input = sendSchema.safeParse(body);
      if (!input.success) return sqsError('InvalidParameterValue', input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const q = queueOf(input.data.QueueUrl);
      if (!q) return sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
      const message: Message = { id: randomUUID(), body: input.data.MessageBody, md5: md5(input.data.MessageBody), sentAt: now(), visibleAt: now() + (input.data.DelaySeconds ?? 0) * 1000, receives: 0 };
      q.messages.push(message);
      q.sent += 1;
      notify();
      return json({ MessageId: message.id, MD5OfMessageBody: message.md5 }, 200, JSON_TYPE);
    },
    ReceiveMessage: async (body) => {
      const input = receiveSchema.safeParse(body);
      if (!input.success) return sqsError('InvalidParameterValue', input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const q = queueOf(input.data.QueueUrl);
      if (!q) return sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
      const deadline = Date.now() + (input.data.WaitTimeSeconds ?? 0) * 1000;
      redrive(q);
      while (visible(q).length === 0 && Date.now() < deadline) {
        // Woken by a send or a move of the clock; else looked at again a little later (a timer may end).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(100, Math.max(0, deadline - Date.now())));
          wake.push(() => (clearTimeout(timer), resolve()));
        });
        redrive(q);
      }
      const taken = visible(q).slice(0, input.data.MaxNumberOfMessages ?? 1);
      const hide = (input.data.VisibilityTimeout ?? q.visibilityTimeoutSeconds) * 1000;
      for (const m of taken) {
        m.receives += 1;
        m.visibleAt = now() + hide;
        m.receiptHandle = randomUUID();
        m.receivedAtMs = Date.now();
      }
      return json(
        {
          Messages: taken.map((m) => ({
            MessageId: m.id,
            ReceiptHandle: m.receiptHandle,
            MD5OfBody: m.md5,
            Body: m.body,
            Attributes: { ApproximateReceiveCount: String(m.receives), SentTimestamp: String(m.sentAt), ApproximateFirstReceiveTimestamp: String(now()) },
          })),
        },
        200,
        JSON_TYPE,
      );
    },
    DeleteMessage: (body) => {
      const input = deleteSchema.safeParse(body);
      if (!input.success) return sqsError('InvalidParameterValue', 'QueueUrl and ReceiptHandle are required.');
      const q = queueOf(input.data.QueueUrl);
      if (!q) return sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
      const at = q.messages.findIndex((m) => m.receiptHandle === input.data.ReceiptHandle);
      if (at < 0) return sqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
      q.messages.splice(at, 1);
      q.deleted += 1;
      return json({}, 200, JSON_TYPE);
    },
    DeleteMessageBatch: (body) => {
      const input = deleteBatchSchema.safeParse(body);
      if (!input.success) return sqsError('InvalidParameterValue', 'QueueUrl and 1 to 10 Entries are required.');
      const q = queueOf(input.data.QueueUrl);
      if (!q) return sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
      const Successful: { Id: string }[] = [];
      const Failed: { Id: string; Code: string; SenderFault: boolean; Message: string }[] = [];
      for (const e of input.data.Entries) {
        const at = q.messages.findIndex((m) => m.receiptHandle === e.ReceiptHandle);
        if (at < 0) Failed.push({ Id: e.Id, Code: 'ReceiptHandleIsInvalid', SenderFault: true, Message: 'The input receipt handle is invalid.' });
        else {
          q.messages.splice(at, 1);
          q.deleted += 1;
          Successful.push({ Id: e.Id });
        }
      }
      return json({ Successful, Failed }, 200, JSON_TYPE);
    },
    GetQueueAttributes: (body) => {
      const input = queueSchema.safeParse(body);
      const q = input.success ? queueOf(input.data.QueueUrl) : undefined;
      if (!q) return sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
      const t = now();
      const delayed = q.messages.filter((m) => m.visibleAt > t && m.receives === 0).length;
      const hidden = q.messages.filter((m) => m.visibleAt > t && m.receives > 0).length;
      return json(
        {
          Attributes: {
            ApproximateNumberOfMessages: String(visible(q, t).length),
            ApproximateNumberOfMessagesNotVisible: String(hidden),
            ApproximateNumberOfMessagesDelayed: String(delayed),
            VisibilityTimeout: String(q.visibilityTimeoutSeconds),
          },
        },
        200,
        JSON_TYPE,
      );
    },
  };

  const routes = new Router()
    .post('/', async ({ req }) => {
      const target = req.headers.get('x-amz-target') ?? '';
      const operation = operations[target.replace(/^AmazonSQS\./, '')];
      if (!target.startsWith('AmazonSQS.') || !operation) return sqsError('UnsupportedOperation', `${target || 'no X-Amz-Target'} is not an operation of this emulator.`);
      let body: unknown;
      try {
        body = JSON.parse(await req.text());
      } catch {
        return sqsError('InvalidParameterValue', 'The request body is not JSON.');
      }
      return operation(body);
    })
    .post('/_simulate/advance', async ({ req }) => {
      const input = z.object({ seconds: z.number().min(0).max(30 * 86_400) }).safeParse(await req.json().catch(() => undefined));
      if (!input.success) return json({ message: 'body must be { "seconds": number } (0 to 30 days)' }, 400);
      offsetMs += input.data.seconds * 1000;
      notify();
      const due = [...queues.values()].flatMap((q) => visible(q).map((m) => ({ queue: q.name, messageId: m.id, body: parse(m.body) })));
      return json({ offsetSeconds: offsetMs / 1000, now: new Date(now()).toISOString(), due });
    });

  return {
    name: 'sqs',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local', queueUrl: urlOf(LOCAL_QUEUE_NAME) },
    env: (url) => ({ SQS_ENDPOINT: url, WEBHOOK_QUEUE_URL: `${url}/${ACCOUNT}/${LOCAL_QUEUE_NAME}` }),
    onListen: (url) => {
      baseUrl = url;
    },
    routes,
    now,
    // A message visible now waits for a receiver (the local queue poller): under way; so is one received
    // a moment ago, until the receiver counts its own run. Dead letters wait for a person, and a delayed
    // or hidden message for its time: not under way.
    motion: () => {
      const polled = [...queues.values()].filter((q) => !dead(q));
      const handoff = Date.now() - HANDOFF_MS;
      const waiting = (q: Queue) => visible(q).length + q.messages.filter((m) => m.visibleAt > now() && (m.receivedAtMs ?? 0) > handoff).length;
      return { active: polled.reduce((n, q) => n + waiting(q), 0), started: polled.reduce((n, q) => n + q.sent, 0) };
    },
    // Nothing here moves by itself as time passes (a snapshot of the stack must hold still): a message's
    // due time says whether it is visible yet.
    inspect: () => {
      return {
        clock: [{ id: 'clock', offsetSeconds: offsetMs / 1000 }],
        queues: [...queues.values()].map((q) => ({ id: q.name, url: urlOf(q.name), status: `${q.messages.length} waiting`, sent: q.sent, deleted: q.deleted })),
        messages: [...queues.values()].flatMap((q) =>
          q.messages.map((m) => ({
            id: m.id,
            queue: q.name,
            dueAt: new Date(m.visibleAt).toISOString(),
            receives: m.receives,
            createdAt: new Date(m.sentAt).toISOString(),
            body: parse(m.body),
          })),
        ),
      };
    },
    reset: () => {
      offsetMs = 0;
      seed();
      notify();
    },
    authorize: (req, url) =>
      url.pathname.startsWith('/_') || /^AWS4-HMAC-SHA256 Credential=\w+\//.test(req.headers.get('authorization') ?? '')
        ? undefined
        : sqsError('MissingAuthenticationToken', 'Missing Authentication Token', 403),
    faultResponse: () => sqsError('InternalError', 'We encountered an internal error. Please try again.', 500),
  };
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
