// A hotline's telephony channels in use: the calls it takes in (`channelsInbound`) and the agent phones
// it rings at once over all its calls (`channelsOutbound`), each a lease that cannot outlive its call.
//   HOTLINE#<id> / CHANNELS   { inbound: { <callSid>: { exp } }, outbound: { <callSid>: { exp, phone } } }
// One item per hotline, one map per direction, a lease per jambonz call sid (the caller's call: it
// rings one agent phone at a time, so its sid also names its agent leg's outbound lease) with its expiry
// (epoch seconds). Why this design:
// - atomic under concurrent hooks: a take is one conditional update, `size(map) < limit` and the sid's
//   absence; two hooks racing for the last channel cannot both pass, and a hook delivered twice finds
//   its sid and takes nothing more (a refresh of its own lease);
// - O(1) per hook: one consistent read of the item, then the update (a new call's two takes share the
//   read: `takeForCall`); a failed condition answers the
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
const channelsKey = (hotlineID: number) => ({ pk: `${HOTLINE_PK_PREFIX}${hotlineID}`, sk: CHANNELS_SK });

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

type Item = Partial<HotlineChannels> & Record<string, unknown>;
const failedItem = (err: unknown): Item | undefined => {
  const old = (err as { Item?: Record<string, AttributeValue> }).Item;
  return old ? (unmarshall(old) as Item) : undefined;
};

export function hotlineChannelsRepository(t: TableRef) {
  const read = async (hotlineID: number): Promise<Item | undefined> =>
    (await t.doc.send(new GetCommand({ TableName: t.tableName, Key: channelsKey(hotlineID), ConsistentRead: true }))).Item as Item | undefined;

  /** One conditional write of a take: `taken`, `full`, or `retry` with the item as it is now (its condition failed, or it only removed expired leases). */
  async function attempt(
    input: { hotlineID: number; dir: ChannelDirection; callSid: string; limit: number; now: Date },
    lease: ChannelLease,
    item: Item | undefined,
  ): Promise<{ outcome: 'taken'; item: Item } | { outcome: 'full' } | { outcome: 'retry'; item: Item | undefined }> {
    const { hotlineID, dir, callSid } = input;
    if (!item) {
      const fresh: HotlineChannels = { inbound: {}, outbound: {} };
      fresh[dir][callSid] = lease;
      const created = { ...channelsKey(hotlineID), entity: 'hotlineChannels', hotlineID, ...fresh };
      try {
        await t.doc.send(
          new PutCommand({
            TableName: t.tableName,
            Item: created,
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { outcome: 'taken', item: created };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        return { outcome: 'retry', item: failedItem(err) };
      }
    }
    const leases = item[dir] ?? {};
    const plan = planTake(leases, callSid, input.limit, input.now);
    if (plan.action === 'full') return { outcome: 'full' };
    const names: Record<string, string> = { '#d': dir, '#sid': callSid };
    const values: Record<string, unknown> = {};
    const conditions = ['attribute_exists(pk)'];
    let update: string;
    if (plan.action === 'refresh') {
      update = 'SET #d.#sid = :lease';
      conditions.push('attribute_exists(#d.#sid)');
      values[':lease'] = lease;
    } else {
      if (plan.expired.length) names['#exp'] = 'exp';
      const removals = plan.expired.map((sid, i) => {
        names[`#x${i}`] = sid;
        values[`:x${i}`] = leases[sid]!.exp;
        // Still the expired lease that was read: not refreshed, nor removed and taken again, meanwhile.
        conditions.push(`#d.#x${i}.#exp = :x${i}`);
        return `#d.#x${i}`;
      });
      if (plan.action === 'sweepOnly') {
        update = `REMOVE ${removals.join(', ')}`;
        delete names['#sid'];
      } else {
        update = `SET #d.#sid = :lease${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`;
        // The size before the removals: the expired ones removed here make room for as many.
        conditions.push('attribute_not_exists(#d.#sid)', 'size(#d) < :cap');
        values[':lease'] = lease;
        values[':cap'] = input.limit + removals.length;
      }
    }
    try {
      const res = await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: channelsKey(hotlineID),
          UpdateExpression: update,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          // The item as the update leaves it: a take that follows (the call's outbound channel) reads no more.
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return plan.action === 'sweepOnly' ? { outcome: 'retry', item: res.Attributes as Item } : { outcome: 'taken', item: res.Attributes as Item };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return { outcome: 'retry', item: failedItem(err) };
    }
  }

  type TakeInput = { hotlineID: number; dir: ChannelDirection; callSid: string; limit: number; now: Date; leaseSeconds: number; phone?: string };

  /** A take from the item as last seen (undefined: none yet): whether the call holds a channel, and the item as the take left it. */
  async function takeFrom(input: TakeInput, item: Item | undefined): Promise<{ taken: boolean; item: Item | undefined }> {
    const lease: ChannelLease = { exp: leaseExpiry(input.now, input.leaseSeconds), ...(input.phone ? { phone: input.phone } : {}) };
    for (let i = 0; i < TAKE_ATTEMPTS; i++) {
      const res = await attempt(input, lease, item);
      if (res.outcome === 'taken') return { taken: true, item: res.item };
      if (res.outcome === 'full') return { taken: false, item };
      item = res.item;
    }
    // Outrun TAKE_ATTEMPTS times by other calls of the same hotline: as busy as it gets.
    return { taken: false, item };
  }

  return {
    /**
     * A new call's channels from one read of the item: an inbound one and, when it got that, the
     * outbound one for the agent phone it rings first (`outbound`; the inbound take answers the item
     * as it left it, so the second take reads nothing). As two `take`s would, each with its own
     * conditional write.
     */
    async takeForCall(input: {
      hotlineID: number;
      callSid: string;
      now: Date;
      leaseSeconds: number;
      inboundLimit: number;
      outbound?: { limit: number; phone: string };
    }): Promise<{ inbound: boolean; outbound: boolean }> {
      const { hotlineID, callSid, now, leaseSeconds } = input;
      const inbound = await takeFrom({ hotlineID, callSid, now, leaseSeconds, dir: 'inbound', limit: input.inboundLimit }, await read(hotlineID));
      if (!inbound.taken || !input.outbound) return { inbound: inbound.taken, outbound: false };
      const outbound = await takeFrom({ hotlineID, callSid, now, leaseSeconds, dir: 'outbound', limit: input.outbound.limit, phone: input.outbound.phone }, inbound.item);
      return { inbound: true, outbound: outbound.taken };
    },

    /**
     * Takes a `dir` channel of the hotline for jambonz's call `callSid` until `leaseSeconds` from `now`,
     * when fewer than `limit` live leases are held: true when the call holds one now (its own, if it
     * held one already: a hook delivered again takes nothing more), false when every channel is in use.
     * `phone`: the agent phone an outbound lease rings (a release by that leg's status names it).
     */
    async take(input: TakeInput): Promise<boolean> {
      return (await takeFrom(input, await read(input.hotlineID))).taken;
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
