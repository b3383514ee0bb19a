// The user's subscription: USER#<sub> / SUBSCRIPTION, kept in step with Stripe, found from a Stripe
// customer id through gsi1 (STRIPE#<customerId>), which is how a webhook event finds its user.
//
// Creating it spans our table and Stripe, in steps: a conditional claim (`claimId`, no `status` yet),
// the customer's id once Stripe has it (so a retry reuses it), then the subscription's ids. Its state
// (status, plan, period end, pending change) is written by the route from Stripe's answers and by the
// webhook from Stripe's events; `stateAt` (the event's `created`, in seconds) orders them, so a late
// or replayed event never rolls the row back (see `applyEvent`). Every write is on the user's own key.
import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PlanId } from '../config/plans';
import type { TableRef } from './client';
import { TableUnavailableError } from '../errors';
import { applied, cancellationReasons } from './conditional';
import { userByLookup } from './lookup';
import { putIfAbsent } from './put-if-absent';
import { USER_PK_PREFIX, idOfKeyParser, userIdOfPk, userPk } from './keys';

export interface PendingPlanChange {
  planId: PlanId;
  /** When the change takes effect (the current period's end). */
  effectiveAt: string;
  scheduleId: string;
}

export interface SubscriptionRow {
  planId: PlanId;
  /** Stripe's subscription status (active, trialing, past_due, incomplete, canceled, ...); absent while the creation is claimed. */
  status?: string;
  stripeCustomerId?: string;
  stripeSubscriptionId?: string;
  currentPeriodEnd?: string | null;
  pendingChange?: PendingPlanChange | null;
  /** Ends at `currentPeriodEnd` as the customer asked: no renewal (Stripe's `cancel_at_period_end`). */
  cancelAtPeriodEnd?: boolean;
  /** The Stripe event time (Unix seconds) of the state stored; a route's own write counts as the time of Stripe's answer. */
  stateAt?: number;
  /** How the state was last set: the rank of the event type (see EVENT_RANK), for events in the same second. */
  stateRank?: number;
  /** The creation in progress: the request's claim and when it was made. */
  claimId?: string;
  claimedAt?: string;
  /** Subscriptions this user started before (the Stripe idempotency key of a creation names it). */
  attempt?: number;
  createdAt: string;
  updatedAt: string;
}

/** The statuses in which the plan's features are the user's. */
const IN_FORCE = new Set(['active', 'trialing', 'past_due']);
export const subscriptionInForce = (s: Pick<SubscriptionRow, 'status'> | undefined): boolean => !!s?.status && IN_FORCE.has(s.status);

/** A subscription that is over: the user may start a new one. */
const ENDED = new Set(['canceled', 'incomplete_expired']);
export const subscriptionEnded = (s: Pick<SubscriptionRow, 'status'> | undefined): boolean => !s || (!!s.status && ENDED.has(s.status));

/** The rank of a route's own write: above every event type's (see shared/domain/billing.ts RANK). */
const ROUTE_RANK = 10;

/** A claim left this long is taken to be from a request that died: the next request may take over. */
export const SUBSCRIPTION_CLAIM_TTL_MS = 60_000;

export const SUBSCRIPTION_SK = 'SUBSCRIPTION';
const SK = SUBSCRIPTION_SK;
/** The keys of a user's subscription row. */
export const subscriptionKey = (userId: string) => ({ pk: userPk(userId), sk: SK });
const key = subscriptionKey;
/** The stream filter of the rows. */
export const SUBSCRIPTION_KEYS = { pk: USER_PK_PREFIX, sk: SK } as const;
/** The user whose subscription row a row's keys (a stream record's) name. */
export const subscriptionIdOfKey = idOfKeyParser<{ userId: string }>('a subscription', ({ pk }) => ({ userId: userIdOfPk(pk) }), ({ userId }) => key(userId));
const customerLookup = (customerId: string) => ({ gsi1pk: `STRIPE#${customerId}`, gsi1sk: SK });

/** The subscription row as stored (the local bench writes many at once with it). */
export const subscriptionItem = (userId: string, row: SubscriptionRow) => ({
  ...key(userId),
  entity: 'subscription',
  ...(row.stripeCustomerId ? customerLookup(row.stripeCustomerId) : {}),
  ...row,
});

/** The state a Stripe event carries, in our terms. Undefined fields stay as they are. */
export interface SubscriptionState {
  status?: string;
  planId?: PlanId;
  currentPeriodEnd?: string | null;
  /** null clears a pending change. */
  pendingChange?: PendingPlanChange | null;
  cancelAtPeriodEnd?: boolean;
}

/** What `applyEvent` did with an event. */
export type EventOutcome = 'applied' | 'duplicate' | 'stale';

/** How long an event id is remembered (Stripe retries a delivery for up to three days). */
export const EVENT_MEMORY_SECONDS = 7 * 86_400;

export function subscriptionsRepository(t: TableRef) {
  /**
   * The period end of an event that is otherwise stale, with the event's marker: only when it is later
   * than the stored one, for the stored subscription, and the subscription is not canceled.
   * Undefined when it is not newer.
   */
  const applyPeriod = async (userId: string, subscriptionId: string, end: string, marker: Record<string, unknown>): Promise<EventOutcome | undefined> => {
    try {
      await t.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: t.tableName, Item: marker, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Update: {
                TableName: t.tableName,
                Key: key(userId),
                UpdateExpression: 'SET currentPeriodEnd = :end, updatedAt = :now',
                ConditionExpression: 'stripeSubscriptionId = :sub AND (attribute_not_exists(#s) OR #s <> :canceled) AND (attribute_not_exists(currentPeriodEnd) OR currentPeriodEnd < :end)',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: { ':end': end, ':sub': subscriptionId, ':canceled': 'canceled', ':now': marker.receivedAt },
              },
            },
          ],
        }),
      );
      return 'applied';
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (!reasons) throw err;
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      if (reasons[1]?.Code === 'ConditionalCheckFailed') return undefined;
      throw err;
    }
  };

  return {
    /** Writes the row as given (the local stack's demo customer). */
    async put(userId: string, row: SubscriptionRow): Promise<void> {
      await t.doc.send(
        new PutCommand({
          TableName: t.tableName,
          Item: subscriptionItem(userId, row),
        }),
      );
    },

    /**
     * Claims the creation of a subscription for this request: true when the user has none, only an
     * ended one, or a stale claim. The row keeps the customer id; `attempt` numbers the user's
     * subscriptions (a stale claim's retry keeps its number, and so its Stripe idempotency key).
     * The claim's own id passes too: the table client retries a write whose answer did not come in
     * time (shared/db/client.ts), and a retry of a claim that was applied must not refuse it.
     */
    async claim(userId: string, input: { claimId: string; planId: PlanId; attempt: number; now: Date }): Promise<boolean> {
      const stale = new Date(input.now.getTime() - SUBSCRIPTION_CLAIM_TTL_MS).toISOString();
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(userId),
            UpdateExpression:
              'SET claimId = :claim, claimedAt = :now, planId = :plan, entity = :entity, createdAt = if_not_exists(createdAt, :now), updatedAt = :now, attempt = :attempt REMOVE #s, stripeSubscriptionId, pendingChange, cancelAtPeriodEnd, currentPeriodEnd, stateAt, stateRank',
            ConditionExpression:
              '(attribute_not_exists(pk) OR #s IN (:canceled, :expired) OR (attribute_not_exists(#s) AND claimedAt < :stale) OR claimId = :claim)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':claim': input.claimId,
              ':now': input.now.toISOString(),
              ':plan': input.planId,
              ':entity': 'subscription',
              ':attempt': input.attempt,
              ':canceled': 'canceled',
              ':expired': 'incomplete_expired',
              ':stale': stale,
            },
          }),
        ),
      );
    },

    /** Records the customer under the claim (and its gsi1 lookup key), so a retry finds it. */
    async setCustomer(userId: string, claimId: string, customerId: string): Promise<void> {
      await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: key(userId),
          UpdateExpression: 'SET stripeCustomerId = :c, gsi1pk = :gpk, gsi1sk = :gsk',
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeValues: { ':c': customerId, ':claim': claimId, ':gpk': customerLookup(customerId).gsi1pk, ':gsk': SK },
        }),
      );
    },

    /**
     * Completes the claim with Stripe's subscription. Status and period end are set only where no
     * webhook event has set them meanwhile (an event is newer than the create call's answer). A row
     * completed with this subscription already passes (and is left as it is): the table client's retry
     * of a completion whose answer did not come in time finds the claim gone.
     */
    async complete(userId: string, claimId: string, s: { subscriptionId: string; status: string; currentPeriodEnd: string; at: number; now: string }): Promise<void> {
      await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: key(userId),
          UpdateExpression:
            'SET stripeSubscriptionId = :id, #s = if_not_exists(#s, :status), currentPeriodEnd = if_not_exists(currentPeriodEnd, :end), stateAt = if_not_exists(stateAt, :at), stateRank = if_not_exists(stateRank, :rank), updatedAt = :now REMOVE claimId, claimedAt',
          ConditionExpression: 'claimId = :claim OR stripeSubscriptionId = :id',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':id': s.subscriptionId, ':status': s.status, ':end': s.currentPeriodEnd, ':at': s.at, ':rank': 0, ':now': s.now, ':claim': claimId },
        }),
      );
    },

    /** Gives a claim up (the creation failed); the customer id stays for the next attempt. */
    async release(userId: string, claimId: string): Promise<void> {
      await applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(userId),
            UpdateExpression: 'SET #s = :expired REMOVE claimId, claimedAt',
            ConditionExpression: 'claimId = :claim AND attribute_not_exists(stripeSubscriptionId)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':claim': claimId, ':expired': 'incomplete_expired' },
          }),
        ),
      );
    },

    /**
     * The plan and pending change after a plan change at Stripe. Its time is Stripe's, never our
     * clock's (a subscription on a Stripe test clock lives at the clock's time, which may be behind
     * ours): `stripeAt`, when Stripe told it (a schedule's creation, a schedule's release), becomes the
     * state's time unless a later event's is stored; without it the state keeps the time of the latest
     * event applied. The write counts above that second's other events (ROUTE_RANK): an event Stripe
     * sent before the change, arriving late, is then stale (an upgrade's own `subscription.updated`
     * without a schedule cannot clear the downgrade scheduled after it); Stripe's later events (those
     * the change itself causes among them) are newer and confirm it.
     */
    async setPlan(userId: string, subscriptionId: string, change: { planId?: PlanId; pendingChange: PendingPlanChange | null; now: string; stripeAt?: Date }): Promise<void> {
      const write = (at: 'stripe' | 'kept') =>
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(userId),
            UpdateExpression: `SET ${[
              'pendingChange = :pending',
              'updatedAt = :now',
              at === 'stripe' ? 'stateAt = :at' : 'stateAt = if_not_exists(stateAt, :at)',
              'stateRank = :rank',
              ...(change.planId ? ['planId = :plan'] : []),
            ].join(', ')}`,
            ConditionExpression: `stripeSubscriptionId = :sub${at === 'stripe' ? ' AND (attribute_not_exists(stateAt) OR stateAt <= :at)' : ''}`,
            ExpressionAttributeValues: {
              ':pending': change.pendingChange,
              ':now': change.now,
              ':at': Math.floor((at === 'stripe' ? change.stripeAt!.getTime() : Date.parse(change.now)) / 1000),
              ':rank': ROUTE_RANK,
              ':sub': subscriptionId,
              ...(change.planId ? { ':plan': change.planId } : {}),
            },
          }),
        );
      // A state stored from an event later than `stripeAt` keeps its time (the second write). So does a
      // dated write the table client could not confirm (its retry failed the time condition after an
      // attempt that ended unclearly: TableUnavailableError): the second write is safe to repeat.
      if (change.stripeAt) {
        try {
          if (await applied(write('stripe'))) return;
        } catch (err) {
          if (!(err instanceof TableUnavailableError)) throw err;
        }
      }
      await write('kept');
    },

    /**
     * Applies a Stripe event's state, once: the event id is remembered (with a TTL) in the same
     * transaction. The state is written only for the stored subscription (or a claim still waiting
     * for its id), and only when the event is not older than the state stored: a later `created`
     * second, or the same second and a rank at least as high (an `updated` beats a `created`; a
     * `deleted` beats both). A canceled subscription stays canceled.
     */
    async applyEvent(
      userId: string,
      e: { eventId: string; created: number; rank: number; subscriptionId: string; state: SubscriptionState; now: Date },
    ): Promise<EventOutcome> {
      const names: Record<string, string> = { '#s': 'status' };
      const values: Record<string, unknown> = { ':at': e.created, ':rank': e.rank, ':sub': e.subscriptionId, ':now': e.now.toISOString(), ':canceled': 'canceled' };
      const sets = ['stateAt = :at', 'stateRank = :rank', 'updatedAt = :now', 'stripeSubscriptionId = :sub'];
      const field = (attr: string, value: unknown) => {
        if (value === undefined) return;
        names[`#${attr}`] = attr;
        values[`:${attr}`] = value;
        sets.push(`#${attr} = :${attr}`);
      };
      if (e.state.status !== undefined) {
        values[':status'] = e.state.status;
        sets.push('#s = :status');
      }
      field('planId', e.state.planId);
      field('currentPeriodEnd', e.state.currentPeriodEnd);
      field('pendingChange', e.state.pendingChange);
      field('cancelAtPeriodEnd', e.state.cancelAtPeriodEnd);
      const marker = {
        pk: `STRIPE_EVENT#${e.eventId}`,
        sk: 'EVENT',
        entity: 'stripeEvent',
        // The event id alone, no user: a deleted account leaves no trace here (the TTL would take a week).
        receivedAt: e.now.toISOString(),
        ttl: Math.floor(e.now.getTime() / 1000) + EVENT_MEMORY_SECONDS,
      };
      try {
        await t.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: t.tableName, Item: marker, ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Update: {
                  TableName: t.tableName,
                  Key: key(userId),
                  UpdateExpression: `SET ${sets.join(', ')}`,
                  ConditionExpression:
                    'attribute_exists(pk) AND (stripeSubscriptionId = :sub OR (attribute_not_exists(stripeSubscriptionId) AND attribute_exists(claimId))) ' +
                    'AND (attribute_not_exists(#s) OR #s <> :canceled) ' +
                    'AND (attribute_not_exists(stateAt) OR stateAt < :at OR (stateAt = :at AND stateRank <= :rank))',
                  ExpressionAttributeNames: names,
                  ExpressionAttributeValues: values,
                },
              },
            ],
          }),
        );
        return 'applied';
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (!reasons) throw err;
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
        if (reasons[1]?.Code !== 'ConditionalCheckFailed') throw err;
        // Older than the state stored (or about another subscription). A newer period is never
        // dropped, though: events of one second are ordered by their kind, and Stripe sends a
        // period's renewal (`customer.subscription.updated`) in the second of other events that rank
        // higher (a schedule released at the same period end). Its period end is applied alone.
        const period = e.state.currentPeriodEnd ? await applyPeriod(userId, e.subscriptionId, e.state.currentPeriodEnd, marker) : undefined;
        if (period) return period;
        // Remembered, not applied.
        const first = await putIfAbsent(t, marker);
        return first.created ? 'stale' : 'duplicate';
      }
    },

    /** Remembers an event that changes no row (a failed payment's notice is its own row), once. */
    async rememberEvent(eventId: string, now: Date): Promise<boolean> {
      const out = await putIfAbsent(t, {
        pk: `STRIPE_EVENT#${eventId}`,
        sk: 'EVENT',
        entity: 'stripeEvent',
        receivedAt: now.toISOString(),
        ttl: Math.floor(now.getTime() / 1000) + EVENT_MEMORY_SECONDS,
      });
      return out.created;
    },

    /** The user a Stripe customer belongs to, if any (gsi1; eventually consistent). */
    async userOfCustomer(customerId: string): Promise<string | undefined> {
      return userByLookup(t, customerLookup(customerId));
    },
  };
}

export type SubscriptionsRepository = ReturnType<typeof subscriptionsRepository>;
