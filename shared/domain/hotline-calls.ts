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
// allows its admins (their consent for that organisation): an invitee's or a withdrawn member's never do.
// The call status hook appends the agent legs' `ringing`, `answered` and `no-answer` to the log and,
// when the caller's leg completes, `completed` and one billing record: the started minutes of the
// call (jambonz's `duration`) times the per-minute rate.
import type { AgentPhonesRepository } from '../db/agent-phones';
import type { HotlineChannelsRepository } from '../db/hotline-channels';
import type { CallLogEntryRow, HotlineRow, HotlinesRepository } from '../db/hotlines';
import type { OrganizationsRepository } from '../db/organizations';
import { NotFoundError } from '../errors';
import { idFromPath, isAcceptedMember } from './hotline-access';
import { hotlineHooks } from './hotline-provisioning';

export interface CallDeps {
  hotlines: HotlinesRepository;
  channels: HotlineChannelsRepository;
  organizations: OrganizationsRepository;
  phones: AgentPhonesRepository;
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

/** The phones a call rings, in order: the active phones of each agent who is an accepted member allowing the organisation. */
async function agentPhones(deps: CallDeps, hotline: HotlineRow): Promise<{ phone: string; userID: number }[]> {
  const out: { phone: string; userID: number }[] = [];
  for (const userID of hotline.agents) {
    const member = await deps.organizations.getMember(hotline.organizationID, userID);
    if (!isAcceptedMember(member) || !member.allowAdmins) continue;
    for (const p of await deps.phones.listByOwner(member.sub)) if (p.isActive) out.push({ phone: p.phone, userID });
  }
  return out;
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

/** POST …/hotlines/{hotlineID}/call: the verbs for this moment of the call. */
export async function answerCallHook(deps: CallDeps, pathId: string, call: JambonzCallInfo): Promise<Verb[]> {
  const hotline = await hotlineOf(deps, pathId);
  if (!hotline.isActive || hotline.status !== 'active') return [say(deps.pausedText), hangup()];
  // The agent's leg, once answered: the text for the agent, then the bridge.
  if (call.direction === 'outbound') return hotline.ttsOutbound ? [say(hotline.ttsOutbound)] : [];

  const at = dateOf(deps);
  const now = at.toISOString();
  const lease = { hotlineID: hotline.id, callSid: call.call_sid, now: at, leaseSeconds: deps.channelLeaseSeconds };
  const phones = await agentPhones(deps, hotline);
  if (call.dial_call_status === undefined) {
    const incoming: CallLogEntryRow = { action: 'incoming', agentPhone: null, userID: null, startTime: now };
    const start = (entries: CallLogEntryRow[]) => deps.hotlines.startCallLog({ hotlineID: hotline.id, callSid: call.call_sid, from: call.from ?? null, now, entries });
    const first = phones[0];
    // A hook delivered again holds its channels already and takes no second one.
    const taken = await deps.channels.takeForCall({
      ...lease,
      inboundLimit: hotline.channelsInbound,
      ...(first ? { outbound: { limit: hotline.channelsOutbound, phone: e164(first.phone) } } : {}),
    });
    if (!taken.inbound) {
      await start([incoming, { action: 'declined', agentPhone: null, userID: null, startTime: now }]);
      return [{ ...DECLINE_BUSY }];
    }
    const dialling = first !== undefined && taken.outbound;
    const entries: CallLogEntryRow[] = [incoming];
    if (first) entries.push({ action: dialling ? 'dial' : 'no-channel', agentPhone: first.phone, userID: first.userID, startTime: now });
    // A hook delivered again finds its log and gets the same verbs; nothing is logged twice.
    await start(entries);
    const greeting = hotline.ttsInbound ? [say(hotline.ttsInbound)] : [];
    if (!first) return [...greeting, say(NO_AGENT_TEXT), hangup()];
    if (!dialling) return [...greeting, say(LINES_BUSY_TEXT), hangup()];
    return [...greeting, dial(deps, hotline, call.from, first)];
  }

  // The dial's action: answered (and now over), or on to the next phone, on the call's channel.
  const over = async (verbs: Verb[]) => {
    await deps.channels.release(hotline.id, call.call_sid, ['outbound']);
    return verbs;
  };
  if (call.dial_call_status === 'completed' || call.dial_call_status === 'answered') return over([hangup()]);
  const log = await deps.hotlines.logByCall(call.call_sid);
  if (!log) return over([say(NO_AGENT_TEXT), hangup()]);
  const tried = log.entries.filter((e) => e.action === 'dial').length;
  const next = phones[tried];
  if (!next) return over([say(NO_AGENT_TEXT), hangup()]);
  if (!(await deps.channels.take({ ...lease, dir: 'outbound', limit: hotline.channelsOutbound, phone: e164(next.phone) }))) {
    await deps.hotlines.appendEntries(hotline.id, log.id, [{ action: 'no-channel', agentPhone: next.phone, userID: next.userID, startTime: now }]);
    return [say(LINES_BUSY_TEXT), hangup()];
  }
  await deps.hotlines.appendEntries(hotline.id, log.id, [{ action: 'dial', agentPhone: next.phone, userID: next.userID, startTime: now }]);
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
