// A hotline's telephony channels in use: the calls it takes in (`channelsInbound`) and the agent phones
// it rings at once over all its calls (`channelsOutbound`), each a lease that cannot outlive its call.
//   HOTLINE#<id> / CHANNELS   { inbound: { <callSid>: { exp } }, outbound: { <callSid>: { exp, phone } } }
// One item per hotline, one map per direction, a lease per jambonz call sid (the caller's call: it
// rings one agent phone at a time, so its sid also names its agent leg's outbound lease) with its expiry
// (epoch seconds). Why this design:
// - atomic under concurrent hooks: a take is one conditional update, `size(map) < limit` and the sid's
//   absence; two hooks racing for the last channel cannot both pass, and a hook delivered twice finds
//   its sid and takes nothing more (a refresh of its own lease);
// - O(1) per hook: one consistent read of the item, then one conditional write of all the call's takes
//   (`planLeases`; the call hook reads the item with the hotline's other rows and writes it in the
//   transaction that starts the call's log: shared/db/hotline-calls.ts); a failed condition answers the
//   item as it is now (ALL_OLD), so a retry needs no second read. No query over the leases, no index;
// - no leak: a lease whose release never comes (a lost final status event) expires. Expired leases are
//   removed by the next take, in the same update (each removal conditioned on its lease still being the
//   expired one, and the size condition raised by that many), so they are never counted and no
//   background job is needed. A release is a plain REMOVE: idempotent, and a late one is harmless.
// The maps hold at most the limit (≤ 100) plus the leases expired since the last take: a few KB.
// Lowering a limit leaves the leases in use alone; new takes meet the new limit.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { TableRef } from './client';
import { applied, isConditionFailure } from './conditional';
import { HOTLINE_PK_PREFIX } from './hotlines';

export type ChannelDirection = 'inbound' | 'outbound';

export interface ChannelLease {
  /** Epoch seconds after which the lease no longer counts. */
  exp: number;
  /** The agent phone an outbound lease rings. */
  phone?: string;
}

export interface HotlineChannels {
  inbound: Record<string, ChannelLease>;
  outbound: Record<string, ChannelLease>;
}

export const CHANNELS_SK = 'CHANNELS';
export const channelsKey = (hotlineID: number) => ({ pk: `${HOTLINE_PK_PREFIX}${hotlineID}`, sk: CHANNELS_SK });

/** Expired leases one take removes at most (bounds the expression's size); more are removed by an update of their own first. */
export const SWEEP_BATCH = 40;
/** Attempts of a take that meets concurrent changes (each attempt reads nothing: the failure answers the item). */
const TAKE_ATTEMPTS = 10;

/** A lease's expiry: `leaseSeconds` from `now`, in epoch seconds. */
export const leaseExpiry = (now: Date, leaseSeconds: number) => Math.floor(now.getTime() / 1000) + leaseSeconds;

/** Whether a lease still counts at `now`: until its expiry second has passed. */
export const leaseLive = (lease: ChannelLease, now: Date) => lease.exp > Math.floor(now.getTime() / 1000);

/**
 * What a take does with the leases as they are: `refresh` the call's own lease, `take` a free channel
 * (after removing `expired`), or `full` (no free channel even without the expired ones). The expired
 * leases are removed oldest first, at most SWEEP_BATCH; `sweepOnly` when more remain to remove first.
 */
export function planTake(
  leases: Record<string, ChannelLease>,
  callSid: string,
  limit: number,
  now: Date,
): { action: 'refresh' } | { action: 'full' } | { action: 'take' | 'sweepOnly'; expired: string[] } {
  if (leases[callSid]) return { action: 'refresh' };
  const expired = Object.entries(leases)
    .filter(([, lease]) => !leaseLive(lease, now))
    .sort(([, a], [, b]) => a.exp - b.exp)
    .map(([sid]) => sid);
  const live = Object.keys(leases).length - expired.length;
  if (live >= limit) return { action: 'full' };
  if (expired.length > SWEEP_BATCH) return { action: 'sweepOnly', expired: expired.slice(0, SWEEP_BATCH) };
  return { action: 'take', expired };
}

export type ChannelsItem = Partial<HotlineChannels> & Record<string, unknown>;
const failedItem = (err: unknown): ChannelsItem | undefined => channelsAfterFailure((err as { Item?: Record<string, AttributeValue> }).Item);

/** One channel a call takes: its direction, the hotline's limit for it, and the agent phone an outbound lease rings. */
export interface LeaseTake {
  dir: ChannelDirection;
  limit: number;
  phone?: string;
}

export interface LeaseRequest {
  hotlineID: number;
  callSid: string;
  now: Date;
  leaseSeconds: number;
  /** In order; each is tried only when the one before it was taken (a new call's outbound channel needs its inbound one). */
  takes: readonly LeaseTake[];
}

type Taken = Partial<Record<ChannelDirection, boolean>>;
/** A conditional write of the channels item, as a transaction item (`Put` or `Update`), answering the item as it was when its condition fails. */
export type LeaseWrite = { Put: Record<string, unknown> } | { Update: Record<string, unknown> };

/**
 * What taking the request's channels from the item as last read (undefined: none yet) comes to:
 * `write`, the one conditional write that takes those it can (`taken` says which; none taken when the
 * first is full: then there is nothing to write), or `sweep`, an update that first removes more
 * expired leases than one write may. A failed condition means the item changed: plan again from it.
 */
export function planLeases(
  t: TableRef,
  req: LeaseRequest,
  item: ChannelsItem | undefined,
): { write?: LeaseWrite; taken: Taken } | { sweep: Record<string, unknown> } {
  const exp = leaseExpiry(req.now, req.leaseSeconds);
  const leaseOf = (take: LeaseTake): ChannelLease => ({ exp, ...(take.phone ? { phone: take.phone } : {}) });
  const Key = channelsKey(req.hotlineID);
  if (!item) {
    if (req.takes.length === 0) return { taken: {} };
    const fresh: HotlineChannels = { inbound: {}, outbound: {} };
    const taken: Taken = {};
    for (const take of req.takes) {
      fresh[take.dir][req.callSid] = leaseOf(take);
      taken[take.dir] = true;
    }
    const Item = { ...Key, entity: 'hotlineChannels', hotlineID: req.hotlineID, ...fresh };
    return { taken, write: { Put: { TableName: t.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } } };
  }
  const names: Record<string, string> = { '#sid': req.callSid };
  const values: Record<string, unknown> = {};
  const conditions = ['attribute_exists(pk)'];
  const sets: string[] = [];
  const removals: string[] = [];
  const taken: Taken = {};
  for (const [j, take] of req.takes.entries()) {
    const leases = item[take.dir] ?? {};
    const plan = planTake(leases, req.callSid, take.limit, req.now);
    if (plan.action === 'full') {
      taken[take.dir] = false;
      break;
    }
    const d = `#d${j}`;
    names[d] = take.dir;
    const expired = plan.action === 'refresh' ? [] : plan.expired;
    if (expired.length) names['#exp'] = 'exp';
    const removed = expired.map((sid, i) => {
      names[`#x${j}_${i}`] = sid;
      values[`:x${j}_${i}`] = leases[sid]!.exp;
      // Still the expired lease that was read: not refreshed, nor removed and taken again, meanwhile.
      return { path: `${d}.#x${j}_${i}`, check: `${d}.#x${j}_${i}.#exp = :x${j}_${i}` };
    });
    if (plan.action === 'sweepOnly') {
      return {
        sweep: {
          TableName: t.tableName,
          Key,
          UpdateExpression: `REMOVE ${removed.map((r) => r.path).join(', ')}`,
          ConditionExpression: ['attribute_exists(pk)', ...removed.map((r) => r.check)].join(' AND '),
          ExpressionAttributeNames: { '#exp': 'exp', [d]: take.dir, ...Object.fromEntries(expired.map((sid, i) => [`#x${j}_${i}`, sid])) },
          ExpressionAttributeValues: Object.fromEntries(expired.map((sid, i) => [`:x${j}_${i}`, leases[sid]!.exp])),
          ReturnValues: 'ALL_NEW',
        },
      };
    }
    sets.push(`${d}.#sid = :l${j}`);
    values[`:l${j}`] = leaseOf(take);
    if (plan.action === 'refresh') conditions.push(`attribute_exists(${d}.#sid)`);
    else {
      removals.push(...removed.map((r) => r.path));
      conditions.push(...removed.map((r) => r.check));
      // The size before the removals: the expired ones removed here make room for as many.
      conditions.push(`attribute_not_exists(${d}.#sid)`, `size(${d}) < :c${j}`);
      values[`:c${j}`] = take.limit + removed.length;
    }
    taken[take.dir] = true;
  }
  if (sets.length === 0) return { taken };
  return {
    taken,
    write: {
      Update: {
        TableName: t.tableName,
        Key,
        UpdateExpression: `SET ${sets.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
  };
}

/** The channels item a failed lease write (alone, or in a transaction) answered: as it is now. */
export const channelsAfterFailure = (returned: Record<string, AttributeValue> | undefined): ChannelsItem | undefined =>
  returned ? (unmarshall(returned) as ChannelsItem) : undefined;

export function hotlineChannelsRepository(t: TableRef) {
  const read = async (hotlineID: number): Promise<ChannelsItem | undefined> =>
    (await t.doc.send(new GetCommand({ TableName: t.tableName, Key: channelsKey(hotlineID), ConsistentRead: true }))).Item as ChannelsItem | undefined;

  return {
    /**
     * Takes a `dir` channel of the hotline for jambonz's call `callSid` until `leaseSeconds` from `now`,
     * when fewer than `limit` live leases are held: true when the call holds one now (its own, if it
     * held one already: a hook delivered again takes nothing more), false when every channel is in use.
     * `phone`: the agent phone an outbound lease rings (a release by that leg's status names it).
     * One read, then one conditional write per attempt (a failed condition answers the item as it is
     * now, so a retry reads nothing). The call hook takes its channels in its own transaction instead
     * (shared/db/hotline-calls.ts), with the same plan.
     */
    async take(input: { hotlineID: number; dir: ChannelDirection; callSid: string; limit: number; now: Date; leaseSeconds: number; phone?: string }): Promise<boolean> {
      const req: LeaseRequest = { ...input, takes: [{ dir: input.dir, limit: input.limit, ...(input.phone ? { phone: input.phone } : {}) }] };
      let item = await read(input.hotlineID);
      for (let i = 0; i < TAKE_ATTEMPTS; i++) {
        const plan = planLeases(t, req, item);
        try {
          if ('sweep' in plan) {
            item = (await t.doc.send(new UpdateCommand(plan.sweep as never))).Attributes as ChannelsItem;
            continue;
          }
          if (!plan.write) return false;
          if ('Put' in plan.write) await t.doc.send(new PutCommand(plan.write.Put as never));
          else await t.doc.send(new UpdateCommand(plan.write.Update as never));
          return true;
        } catch (err) {
          if (!isConditionFailure(err)) throw err;
          item = failedItem(err);
        }
      }
      // Outrun TAKE_ATTEMPTS times by other calls of the same hotline: as busy as it gets.
      return false;
    },

    /** Gives the call's leases back (`dirs`); a lease already gone is no error. */
    async release(hotlineID: number, callSid: string, dirs: readonly ChannelDirection[] = ['inbound', 'outbound']): Promise<void> {
      if (dirs.length === 0) return;
      const names: Record<string, string> = { '#sid': callSid };
      dirs.forEach((d, i) => (names[`#d${i}`] = d));
      await applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: channelsKey(hotlineID),
            UpdateExpression: `REMOVE ${dirs.map((_, i) => `#d${i}.#sid`).join(', ')}`,
            // Never creates the item: a hotline that took no channel has nothing to give back.
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: names,
          }),
        ),
      );
    },

    /** Gives back the call's outbound lease if it still rings `phone` (a late status of an earlier agent leg leaves the next one's lease alone). */
    releaseOutboundOf: (hotlineID: number, callSid: string, phone: string) =>
      applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: channelsKey(hotlineID),
            UpdateExpression: 'REMOVE outbound.#sid',
            ConditionExpression: 'outbound.#sid.phone = :phone',
            ExpressionAttributeNames: { '#sid': callSid },
            ExpressionAttributeValues: { ':phone': phone },
          }),
        ),
      ),

    /** The hotline's leases as stored (expired ones included until a take removes them). */
    async get(hotlineID: number): Promise<HotlineChannels> {
      const item = await read(hotlineID);
      return { inbound: item?.inbound ?? {}, outbound: item?.outbound ?? {} };
    },
  };
}

export type HotlineChannelsRepository = ReturnType<typeof hotlineChannelsRepository>;
