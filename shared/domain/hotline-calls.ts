// A hotline's call, as jambonz runs it. jambonz posts to the call hook and follows the verbs we answer:
// - a new inbound call takes one of the hotline's `channelsInbound` channels; with all of them in use it
//   is declined busy (`sip:decline` 486, the only verb jambonz allows for it: the call is never
//   answered) and its log shows `incoming` then `declined`, and no billing record (nothing was answered);
// - a new inbound call that got its channel: its log starts (`incoming`); we `say` the hotline's
//   ttsInbound and `dial` the first active agent phone (the agents in the hotline's order, each agent's
//   active phones by id), with a ring timeout, the call hook as the dial's actionHook and, with a
//   ttsOutbound, confirmHook;
// - every `dial` takes one of the hotline's `channelsOutbound` channels, which count the agent phones
//   rung at once over all its calls (a call rings one phone at a time, so the call keeps its channel
//   from one phone to the next); with none free the caller hears a short message and the call ends
//   (`no-channel` in the log, naming the phone that was not rung). Ending rather than waiting: an
//   answered agent holds the channel for the whole conversation, so a wait has no bound the caller
//   could be told, while it would hold an inbound channel and run up minutes; calling again is better;
// - the dial's actionHook (the payload has `dial_call_status`): answered and over → `hangup`; not
//   answered → `dial` the next phone; none left → a short message and `hangup`;
// - the confirmHook (the agent's leg, `direction: outbound`): `say` ttsOutbound to the agent;
// - a paused (`isActive: false`) or not yet provisioned hotline: a short message and `hangup`, no log.
// Channels are leases (shared/db/hotline-channels.ts): an agent leg's is given back by its dial's
// actionHook or its final status, the caller's call's (both directions) by the caller's final status,
// and any of them after HOTLINE_CHANNEL_LEASE_SECONDS when those events never come. A lowered limit
// leaves calls in progress alone; new calls and new dials meet it.
// An agent's phones ring only while the agent is an accepted member of the hotline's organisation who
// allows its admins (their consent for that organisation): an invitee's or a withdrawn member's never do
// (a change reaches the hotline's ring list through the stream, about a second later: ./ring-lists.ts).
// The call status hook appends the agent legs' `ringing`, `answered` and `no-answer` to the log and,
// when the caller's leg completes, `completed` and one billing record: the started minutes of the
// call (jambonz's `duration`) times the per-minute rate.
// Round trips before jambonz gets its verbs (shared/db/hotline-calls.ts): a new call 3 (one read of
// the hotline's rows, its log's id, one transaction of its log and channels), the dial's action 3 (the
// read, the log, one transaction of the next lease and its entry); the phones come from the hotline's
// ring list (./ring-lists.ts), and only while that is behind an edit of the hotline from the agents'
// member rows and phones (one read, then one per consenting agent). A hook delivered again: the read,
// then its log.
import type { AgentPhonesRepository } from '../db/agent-phones';
import type { ReadTogether } from '../db/get-items';
import type { HotlineCallsRepository, Taken } from '../db/hotline-calls';
import type { HotlineChannelsRepository } from '../db/hotline-channels';
import type { CallLogEntryRow, CallLogRow, HotlineRow, HotlinesRepository } from '../db/hotlines';
import { NotFoundError } from '../errors';
import { idFromPath } from './hotline-access';
import { hotlineHooks } from './hotline-provisioning';
import { ringOf, type RingPhone } from './ring-lists';

export interface CallDeps {
  hotlines: HotlinesRepository;
  channels: HotlineChannelsRepository;
  calls: HotlineCallsRepository;
  read: ReadTogether;
  phones: Pick<AgentPhonesRepository, 'listByOwner'>;
  hookBaseUrl: string;
  dialTimeoutSeconds: number;
  pausedText: string;
  pricePerMinute: number;
  /** How long a channel stays taken when the event that gives it back never comes. */
  channelLeaseSeconds: number;
  now?: () => Date;
}

export interface JambonzCallInfo {
  call_sid: string;
  parent_call_sid?: string | null;
  direction?: string;
  from?: string | null;
  to?: string | null;
  call_status?: string;
  dial_call_status?: string;
  duration?: number | null;
}

export type Verb = { verb: string } & Record<string, unknown>;

const NO_AGENT_TEXT = 'No one can take your call right now. Please call again later.';
const LINES_BUSY_TEXT = 'All our lines are busy right now. Please call again in a few minutes.';
const dateOf = (deps: { now?: () => Date }) => deps.now?.() ?? new Date();
/** A number as E.164 digits with "+": an agent leg's `to` and the phone we dialled compare equal however jambonz writes them. */
const e164 = (n: string) => `+${n.replace(/\D/g, '')}`;

async function hotlineOf(deps: CallDeps, pathId: string): Promise<HotlineRow> {
  const hotline = await deps.hotlines.get(idFromPath(pathId, 'hotline'));
  if (!hotline) throw new NotFoundError('No hotline with this id.');
  return hotline;
}

function dial(deps: CallDeps, hotline: HotlineRow, callerId: string | null | undefined, target: { phone: string }): Verb {
  const hook = hotlineHooks(deps.hookBaseUrl, hotline.id).callHook;
  return {
    verb: 'dial',
    ...(callerId ? { callerId } : {}),
    answerOnBridge: true,
    timeout: deps.dialTimeoutSeconds,
    target: [{ type: 'phone', number: target.phone }],
    actionHook: hook.url,
    ...(hotline.ttsOutbound ? { confirmHook: hook.url } : {}),
  };
}

const say = (text: string): Verb => ({ verb: 'say', text });
const hangup = (): Verb => ({ verb: 'hangup' });
/** Busy for a call over the inbound channels: jambonz rejects the unanswered call with this status (and posts its leg `failed`). */
export const DECLINE_BUSY = { verb: 'sip:decline', status: 486, reason: 'Busy Here' } as const;

/** A new call's log entries for what it took: declined without an inbound channel, else the first phone dialled (or not, without an outbound one). */
function firstEntries(now: string, first: RingPhone | undefined, taken: Taken): CallLogEntryRow[] {
  const incoming: CallLogEntryRow = { action: 'incoming', agentPhone: null, userID: null, startTime: now };
  if (!taken.inbound) return [incoming, { action: 'declined', agentPhone: null, userID: null, startTime: now }];
  if (!first) return [incoming];
  return [incoming, { action: taken.outbound ? 'dial' : 'no-channel', agentPhone: first.phone, userID: first.userID, startTime: now }];
}

/** The verbs of a new call, from its log's first entries: the same for every delivery of its hook. */
function firstVerbs(deps: CallDeps, hotline: HotlineRow, log: CallLogRow): Verb[] {
  if (log.entries.some((e) => e.action === 'declined')) return [{ ...DECLINE_BUSY }];
  const greeting = hotline.ttsInbound ? [say(hotline.ttsInbound)] : [];
  const first = log.entries.find((e) => e.action === 'dial' || e.action === 'no-channel');
  if (!first?.agentPhone) return [...greeting, say(NO_AGENT_TEXT), hangup()];
  if (first.action === 'no-channel') return [...greeting, say(LINES_BUSY_TEXT), hangup()];
  return [...greeting, dial(deps, hotline, log.from, { phone: first.agentPhone })];
}

/** POST …/hotlines/{hotlineID}/call: the verbs for this moment of the call. */
export async function answerCallHook(deps: CallDeps, pathId: string, call: JambonzCallInfo): Promise<Verb[]> {
  const state = await deps.calls.read(idFromPath(pathId, 'hotline'), call.call_sid);
  const hotline = state.hotline;
  if (!hotline) throw new NotFoundError('No hotline with this id.');
  if (!hotline.isActive || hotline.status !== 'active') return [say(deps.pausedText), hangup()];
  // The agent's leg, once answered: the text for the agent, then the bridge.
  if (call.direction === 'outbound') return hotline.ttsOutbound ? [say(hotline.ttsOutbound)] : [];

  const at = dateOf(deps);
  const now = at.toISOString();
  const lease = { hotlineID: hotline.id, callSid: call.call_sid, now: at, leaseSeconds: deps.channelLeaseSeconds };
  if (call.dial_call_status === undefined) {
    // A hook delivered again finds the log its first delivery started, holds its channels already, and gets the same verbs.
    const earlier = state.ref ? await deps.hotlines.getLog(state.ref.hotlineID, state.ref.logID) : undefined;
    if (earlier) return firstVerbs(deps, hotline, earlier);
    const first = (await ringOf(deps, hotline, state.ring))[0];
    const { log } = await deps.calls.start({
      ...lease,
      state,
      from: call.from ?? null,
      takes: [{ dir: 'inbound', limit: hotline.channelsInbound }, ...(first ? [{ dir: 'outbound' as const, limit: hotline.channelsOutbound, phone: e164(first.phone) }] : [])],
      entries: (taken) => firstEntries(now, first, taken),
    });
    return firstVerbs(deps, hotline, log);
  }

  // The dial's action: answered (and now over), or on to the next phone, on the call's channel.
  const over = async (verbs: Verb[]) => {
    await deps.channels.release(hotline.id, call.call_sid, ['outbound']);
    return verbs;
  };
  if (call.dial_call_status === 'completed' || call.dial_call_status === 'answered') return over([hangup()]);
  const log = state.ref ? await deps.hotlines.getLog(state.ref.hotlineID, state.ref.logID) : undefined;
  if (!log) return over([say(NO_AGENT_TEXT), hangup()]);
  const tried = log.entries.filter((e) => e.action === 'dial').length;
  const next = (await ringOf(deps, hotline, state.ring))[tried];
  if (!next) return over([say(NO_AGENT_TEXT), hangup()]);
  const dialling = await deps.calls.dialNext({
    ...lease,
    channels: state.channels,
    log,
    take: { dir: 'outbound', limit: hotline.channelsOutbound, phone: e164(next.phone) },
    entry: (taken) => ({ action: taken ? 'dial' : 'no-channel', agentPhone: next.phone, userID: next.userID, startTime: now }),
  });
  if (!dialling) return [say(LINES_BUSY_TEXT), hangup()];
  return [dial(deps, hotline, log.from, next)];
}

const AGENT_ACTIONS: Record<string, string> = { ringing: 'ringing', 'in-progress': 'answered', 'no-answer': 'no-answer', busy: 'no-answer', failed: 'no-answer' };
const CALL_OVER = new Set(['completed', 'failed', 'busy', 'no-answer']);

/** POST …/hotlines/{hotlineID}/status: one call status event into the call's log (and its record). */
export async function recordCallStatus(deps: CallDeps, pathId: string, event: JambonzCallInfo): Promise<void> {
  const hotline = await hotlineOf(deps, pathId);
  const status = event.call_status ?? '';
  const now = dateOf(deps).toISOString();
  if (event.parent_call_sid) {
    // The agent's leg is over: its channel is free (unless the call has moved on to another phone).
    if (CALL_OVER.has(status) && event.to) await deps.channels.releaseOutboundOf(hotline.id, event.parent_call_sid, e164(event.to));
    const action = AGENT_ACTIONS[status];
    const log = action ? await deps.hotlines.logByCall(event.parent_call_sid) : undefined;
    if (!action || !log || log.hotlineID !== hotline.id) return;
    const dialled = [...log.entries].reverse().find((e) => e.action === 'dial' && e.agentPhone === event.to);
    await deps.hotlines.appendEntries(hotline.id, log.id, [{ action, agentPhone: event.to ?? null, userID: dialled?.userID ?? null, startTime: now }]);
    return;
  }
  if (!CALL_OVER.has(status)) return;
  // The caller's leg is over: both of the call's channels are free.
  await deps.channels.release(hotline.id, event.call_sid);
  const log = await deps.hotlines.logByCall(event.call_sid);
  // A declined call was never answered: nothing to bill (jambonz posts it `failed`, 486).
  if (!log || log.hotlineID !== hotline.id || log.recordId !== undefined || log.entries.some((e) => e.action === 'declined')) return;
  const seconds = Math.max(0, Math.round(event.duration ?? (Date.parse(now) - Date.parse(log.startTime)) / 1000));
  const timeEnd = new Date(Date.parse(log.startTime) + seconds * 1000).toISOString();
  await deps.hotlines.bill(
    { hotlineID: hotline.id, callLogID: log.id, destinationNumber: hotline.number ?? event.to ?? '', timeStart: log.startTime, timeEnd, price: priceOf(seconds, deps.pricePerMinute) },
    { action: 'completed', agentPhone: null, userID: null, startTime: now },
  );
}

/** Started minutes times the rate, in cents' hundredths (four decimals). */
export const priceOf = (seconds: number, perMinute: number) => Math.round(Math.ceil(seconds / 60) * perMinute * 10_000) / 10_000;
