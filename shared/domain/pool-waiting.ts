// Pool numbers over a subscription's life: the users waiting for one, served as numbers become free,
// and the number given back when the plan no longer includes one.
//
// syncPoolNumber — the worker, from each INSERT and MODIFY of the user's SUBSCRIPTION row (the routes'
// and the Stripe webhook's writes), and of their pool line (below).
//   input: the user; output: what it did.
//   1. read the user's rows (strongly consistent); an account being deleted is left to its teardown;
//   2. the plan in force includes a number (active, trialing or past_due, and `includesPoolNumber`):
//      a. a ready assistant without a line gets a free number (the assignment's one transaction, as
//         PUT /v1/me/assistant makes it; the bindPoolNumber worker binds it in Vapi), or, with none
//         free, starts waiting for one (its place: now);
//      b. a line whose number will go at the period's end (a downgrade to a plan without one is
//         pending, or the subscription is canceled at the period's end) is announced: the
//         NUMBER_RELEASE row of that date, once, from which notifyNumberRelease emails the customer;
//      c. a line whose release was announced for a date still ahead (on the subscription's own time)
//         and no longer will go (the downgrade dropped or changed to a plan with a number, the
//         cancellation undone): the row is marked withdrawn, once, from which notifyNumberKept tells
//         the customer the number stays;
//   3. it does not (the downgrade took effect, the subscription ended, was never paid or is unpaid):
//      the user waits no longer, and a line is given back as DELETE /v1/me/integrations and the
//      teardown give it back: the Vapi number deleted, then the number free again and the line gone in
//      one transaction. The freed number's MODIFY brings the next waiting user theirs (below).
//   Every step checks the state it changes, so a record delivered twice does nothing twice.
//   The same worker takes each new pool line (INTEGRATION#POOL INSERT, and its binding's MODIFY) and
//   runs 2b and 2c alone (syncLineRelease): a number that arrives while its release is already due
//   (given by the assistant's PUT or to a waiting user while a downgrade is pending, or in a run of
//   this worker that saw the subscription before the line existed) has it announced too.
//
// assignPoolNumbers — the worker, from a pool number that becomes free (an admin's import adds it, or a
// line gives it back: the POOL#<e164> row's INSERT, or its MODIFY to `free`).
//   input: the number; output: the user who got it, if any.
//   1. read the waiting users, first come first (gsi1 POOL_WAITING, `<since>#<sub>`), a page at a time;
//   2. for each, read their rows: one who no longer waits (no ready assistant, a plan without a number,
//      a line already, an account being deleted) stops waiting and the next is tried;
//   3. give the number to the first who still waits, in the assignment's one transaction (which also
//      ends their waiting); taken meanwhile: stop, the number's next MODIFY starts again.
import type { Plan } from '../config/plans';
import type { NumberReleaseRow, NumberReleasesRepository } from '../db/number-releases';
import type { AssignOutcome, PoolAssignments, PoolWaitingRow } from '../db/pool';
import { subscriptionInForce, type SubscriptionRow } from '../db/subscriptions';
import type { UserRows, UsersRepository } from '../db/users';
import { AccountClosedError } from '../errors';
import { logger } from '../observability/logger';
import { planIncludesNumber } from './assistant-view';
import { removePoolLine, type PoolLineRemovalDeps } from './integrations';

export interface PoolWaitingDeps {
  users: Pick<UsersRepository, 'loadUser'>;
  pool: Pick<PoolAssignments, 'assignFree' | 'assignNumber' | 'startWaiting' | 'stopWaiting' | 'waiting'>;
  plans: Plan[];
  now?: () => Date;
}

export interface SyncPoolNumberDeps extends PoolWaitingDeps {
  releases: Pick<NumberReleasesRepository, 'announce' | 'withdraw'>;
  /** What giving the line back uses (the teardown's steps for the pool line). */
  lines: PoolLineRemovalDeps;
}

export type SyncOutcome = 'assigned' | 'waiting' | 'announced' | 'withdrawn' | 'released' | 'nothing' | 'account-closed';

const readyAssistantId = (rows: UserRows) => (rows.assistant?.status === 'ready' ? rows.assistant.assistantId : undefined);

/**
 * The release the subscription's row announces for the period's end, if any: a pending downgrade to
 * a plan without a number, or the end of a subscription canceled at the period's end.
 */
export function scheduledRelease(plans: Plan[], sub: SubscriptionRow | undefined): Pick<NumberReleaseRow, 'effectiveAt' | 'reason' | 'planId'> | undefined {
  if (!sub || !subscriptionInForce(sub)) return undefined;
  if (sub.cancelAtPeriodEnd && sub.currentPeriodEnd) return { effectiveAt: sub.currentPeriodEnd, reason: 'cancellation' };
  const next = sub.pendingChange;
  if (next && !(plans.find((p) => p.id === next.planId)?.includesPoolNumber ?? false)) {
    return { effectiveAt: next.effectiveAt, reason: 'downgrade', planId: next.planId };
  }
  return undefined;
}

/**
 * The announced releases of the user's line that are still ahead and not yet withdrawn. Only asked when
 * none is scheduled any more, so each of them was taken back. Ahead is on the subscription's own time
 * (Stripe's, a test clock's): dated the period's end or later (a release that took effect is dated
 * before the period that follows it) and after the time of the row's state. The latter tells a
 * downgrade taken back from one that has just begun: Stripe's event that its phase started
 * (`subscription_schedule.updated`, at the release's date) leaves nothing pending a moment before the
 * renewal's event brings the new plan, and the row's plan, still the old one, includes the number.
 */
function takenBack(rows: UserRows): NumberReleaseRow[] {
  const sub = rows.subscription;
  if (!sub?.currentPeriodEnd || !rows.poolLine) return [];
  const { number } = rows.poolLine;
  const periodEnd = Date.parse(sub.currentPeriodEnd);
  const stateAt = (sub.stateAt ?? 0) * 1000;
  return rows.numberReleases.filter((r) => {
    const at = Date.parse(r.effectiveAt);
    return r.number === number && !r.withdrawnAt && at >= periodEnd && at > stateAt;
  });
}

export async function syncPoolNumber(deps: SyncPoolNumberDeps, userId: string): Promise<SyncOutcome> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  const rows = await deps.users.loadUser(userId, { consistent: true });
  if (rows.teardown) return 'account-closed';
  if (!planIncludesNumber(deps.plans, rows)) {
    if (rows.poolWaiting) await deps.pool.stopWaiting(userId);
    if (!rows.poolLine) return 'nothing';
    await removePoolLine(deps.lines, userId);
    logger.info('pool number given back: the plan no longer includes one', { userId });
    return 'released';
  }
  try {
    if (!rows.poolLine) {
      const assistantId = readyAssistantId(rows);
      if (!assistantId) return 'nothing';
      const outcome = await takeOrWait(deps.pool, { userId, assistantId, now });
      return outcome.assigned ? 'assigned' : outcome.existing ? 'nothing' : 'waiting';
    }
    return await followRelease(deps, userId, rows, now);
  } catch (err) {
    if (err instanceof AccountClosedError) return 'account-closed';
    throw err;
  }
}

/** The pool line's release alone (a new line's record): announced when due, withdrawn when taken back. */
export async function syncLineRelease(deps: Pick<SyncPoolNumberDeps, 'users' | 'releases' | 'plans' | 'now'>, userId: string): Promise<SyncOutcome> {
  const rows = await deps.users.loadUser(userId, { consistent: true });
  if (rows.teardown) return 'account-closed';
  if (!rows.poolLine || !planIncludesNumber(deps.plans, rows)) return 'nothing';
  return followRelease(deps, userId, rows, (deps.now?.() ?? new Date()).toISOString());
}

/** Steps 2b and 2c for a user with a line whose plan in force includes a number. */
async function followRelease(deps: Pick<SyncPoolNumberDeps, 'releases' | 'plans'>, userId: string, rows: UserRows, now: string): Promise<SyncOutcome> {
  const release = scheduledRelease(deps.plans, rows.subscription);
  if (release) {
    const announced = await deps.releases.announce(userId, { number: rows.poolLine!.number, ...release, announcedAt: now });
    return announced ? 'announced' : 'nothing';
  }
  let withdrawn = false;
  for (const r of takenBack(rows)) if (await deps.releases.withdraw(userId, r.effectiveAt, now)) withdrawn = true;
  return withdrawn ? 'withdrawn' : 'nothing';
}

/**
 * A free number for the user, else their place among the waiting (kept when they waited already). A
 * number freed between the two finds no marker yet, so one more try follows the marker's write.
 */
export async function takeOrWait(pool: Pick<PoolAssignments, 'assignFree' | 'startWaiting'>, input: { userId: string; assistantId: string; now: string }): Promise<AssignOutcome> {
  const first = await pool.assignFree(input);
  if (first.assigned || first.existing) return first;
  await pool.startWaiting(input.userId, input.now);
  return pool.assignFree(input);
}

/** Waiting users read per page, and pages read at most for one number. */
const WAITING_PAGE = 25;
const MAX_PAGES = 20;

/** Gives a number that became free to the user who has waited longest and still waits. */
export async function assignPoolNumbers(deps: PoolWaitingDeps, number: string): Promise<{ userId: string } | undefined> {
  let after: PoolWaitingRow | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const waiting = await deps.pool.waiting({ limit: WAITING_PAGE, ...(after ? { after } : {}) });
    for (const w of waiting) {
      const rows = await deps.users.loadUser(w.userId, { consistent: true });
      const assistantId = readyAssistantId(rows);
      if (!rows.poolWaiting) continue; // served meanwhile (the index lags)
      if (rows.teardown || rows.poolLine || !assistantId || !planIncludesNumber(deps.plans, rows)) {
        await deps.pool.stopWaiting(w.userId);
        continue;
      }
      try {
        const outcome = await deps.pool.assignNumber({ userId: w.userId, assistantId, number, now: (deps.now?.() ?? new Date()).toISOString() });
        if (outcome === 'assigned') {
          logger.info('pool number given to a waiting user', { userId: w.userId, waitingSince: w.since });
          return { userId: w.userId };
        }
        if (outcome === 'number-gone') return undefined;
        await deps.pool.stopWaiting(w.userId);
      } catch (err) {
        if (!(err instanceof AccountClosedError)) throw err;
        await deps.pool.stopWaiting(w.userId);
      }
    }
    if (waiting.length < WAITING_PAGE) return undefined;
    after = waiting.at(-1);
  }
  return undefined;
}
