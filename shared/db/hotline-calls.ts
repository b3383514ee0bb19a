// The table's side of a hotline call as the call hook runs it, in the round trips a live call can
// afford before jambonz gets its verbs:
// - `read`: one strongly consistent BatchGetItem of the hotline, its channels, its ring list
//   (shared/db/hotline-rings.ts), the last position of its logs and the call's reference to its log;
// - `start`: a new call's log at the next position with its reference, and the call's channel leases,
//   in one transaction, under a log id drawn just before it (after the position was read, so that ids
//   follow positions: shared/db/positions.ts);
// - `dialNext`: the next agent phone's outbound lease and the log's entry for it, in one transaction.
// A failed condition answers what changed (the channels, the counter: ALL_OLD), so an attempt is planned
// again from it without another read; a call's reference that exists already means the hook was
// delivered again (or twice at once), and the log its first delivery started answers.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { TableRef } from './client';
import { cancellationReasons, isTransactionConflict } from './conditional';
import { nextId } from './counters';
import { itemsReader, rawRead } from './get-items';
import { channelsAfterFailure, channelsKey, planLeases, type ChannelDirection, type ChannelsItem, type LeaseTake, type LeaseWrite } from './hotline-channels';
import { ringListRead, type RingList } from './hotline-rings';
import {
  appendEntriesItem,
  callLogStartItems,
  callRefRead,
  hotlineRead,
  logsPositionOf,
  logsPositionRead,
  logsPositionTake,
  type CallLogEntryRow,
  type CallLogRow,
  type CallRef,
  type HotlineRow,
  type HotlinesRepository,
} from './hotlines';

/** What the call hook reads first, in one request. */
export interface CallState {
  hotline?: HotlineRow;
  channels?: ChannelsItem;
  ring?: RingList;
  /** The last position of the hotline's logs. */
  lastLog: number;
  /** The call's log, when a delivery of its first hook started it. */
  ref?: CallRef;
}

export type Taken = Partial<Record<ChannelDirection, boolean>>;

/** Attempts of one write that keeps meeting other calls' writes (each attempt is planned from what the failure answered). */
const ATTEMPTS = 20;

const pause = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 5 * Math.min(attempt, 10)));

export function hotlineCallsRepository(t: TableRef, hotlines: Pick<HotlinesRepository, 'getLog'>) {
  const read = itemsReader(t);
  const transact = (items: unknown[]) => t.doc.send(new TransactWriteCommand({ TransactItems: items as never }));
  const sweep = async (input: Record<string, unknown>) => (await t.doc.send(new UpdateCommand(input as never))).Attributes as ChannelsItem;
  const failed = (err: unknown, items: unknown[], item: unknown) => {
    const reason = cancellationReasons(err)?.[items.indexOf(item)];
    return reason?.Code === 'ConditionalCheckFailed' ? { item: reason.Item } : undefined;
  };

  return {
    read: (hotlineID: number, callSid: string): Promise<CallState> =>
      read({
        hotline: hotlineRead(hotlineID),
        channels: { ...rawRead(channelsKey(hotlineID)), of: (item) => item as ChannelsItem | undefined },
        ring: ringListRead(hotlineID),
        lastLog: logsPositionRead(hotlineID),
        ref: callRefRead(callSid),
      }),

    /**
     * Starts a new call from `state` (as `read` answered it): takes what it can of `takes` and starts
     * its log with the entries `entries` makes of what was taken. `created: false` with the log a
     * delivery of the same hook started first (it took the channels; this one takes nothing).
     */
    async start(input: {
      hotlineID: number;
      state: Pick<CallState, 'channels' | 'lastLog'>;
      callSid: string;
      from: string | null;
      now: Date;
      leaseSeconds: number;
      takes: readonly LeaseTake[];
      entries: (taken: Taken) => CallLogEntryRow[];
    }): Promise<{ log: CallLogRow; created: boolean }> {
      const { hotlineID, callSid } = input;
      let channels = input.state.channels;
      let last = input.state.lastLog;
      let id: number | undefined;
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const plan = planLeases(t, { hotlineID, callSid, now: input.now, leaseSeconds: input.leaseSeconds, takes: input.takes }, channels);
        if ('sweep' in plan) {
          channels = await sweep(plan.sweep);
          continue;
        }
        // Drawn after `last` was read: above every id at a position up to it.
        id ??= await nextId(t, 'callLog');
        const log: CallLogRow = { id, hotlineID, callSid, from: input.from, startTime: input.now.toISOString(), entries: input.entries(plan.taken) };
        const [logPut, refPut] = callLogStartItems(t, log, last + 1);
        const ref = { Put: { ...refPut!.Put, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } };
        const take = logsPositionTake(t, hotlineID, last);
        const items: unknown[] = [...(plan.write ? [plan.write] : []), logPut, ref, take];
        try {
          await transact(items);
          return { log, created: true };
        } catch (err) {
          if (!cancellationReasons(err)) throw err;
          const first = failed(err, items, ref)?.item;
          if (first) {
            const { hotlineID: h, logID } = unmarshall(first as Record<string, AttributeValue>);
            const existing = await hotlines.getLog(Number(h), Number(logID));
            if (existing) return { log: existing, created: false };
          }
          const lease = plan.write && failed(err, items, plan.write);
          if (lease) channels = channelsAfterFailure(lease.item);
          const moved = failed(err, items, take);
          if (moved) {
            last = logsPositionOf(hotlineID, moved.item ? unmarshall(moved.item) : undefined);
            id = undefined;
          }
          if (!lease && !moved && !isTransactionConflict(err)) throw err;
          await pause(attempt);
        }
      }
      throw new Error(`No log for call ${callSid} of hotline ${hotlineID} after ${ATTEMPTS} attempts: other calls kept changing its rows.`);
    },

    /**
     * The call moves on to the next agent phone (`take`, an outbound channel): its lease and the log's
     * entry that `entry` makes of whether it was taken, in one transaction. Answers whether it was.
     */
    async dialNext(input: {
      hotlineID: number;
      channels: ChannelsItem | undefined;
      log: Pick<CallLogRow, 'id'>;
      callSid: string;
      now: Date;
      leaseSeconds: number;
      take: LeaseTake;
      entry: (taken: boolean) => CallLogEntryRow;
    }): Promise<boolean> {
      const { hotlineID, callSid } = input;
      let channels = input.channels;
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const plan = planLeases(t, { hotlineID, callSid, now: input.now, leaseSeconds: input.leaseSeconds, takes: [input.take] }, channels);
        if ('sweep' in plan) {
          channels = await sweep(plan.sweep);
          continue;
        }
        const taken = plan.taken[input.take.dir] === true;
        const write: LeaseWrite | undefined = plan.write;
        const items: unknown[] = [...(write ? [write] : []), appendEntriesItem(t, hotlineID, input.log.id, [input.entry(taken)])];
        try {
          await transact(items);
          return taken;
        } catch (err) {
          if (!cancellationReasons(err)) throw err;
          const lease = write && failed(err, items, write);
          if (lease) channels = channelsAfterFailure(lease.item);
          else if (!isTransactionConflict(err)) throw err;
          await pause(attempt);
        }
      }
      throw new Error(`No outbound channel decision for call ${callSid} of hotline ${hotlineID} after ${ATTEMPTS} attempts.`);
    },
  };
}

export type HotlineCallsRepository = ReturnType<typeof hotlineCallsRepository>;
