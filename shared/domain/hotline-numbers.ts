// The hotline number pool as the admin dashboard and the provisioning worker run it. jambonz sells no
// numbers: a hotline's number is one of Fonella's on its Sipgate account, routed there to the hotline
// trunk device (SIPGATE_HOTLINE_TRUNK_DEVICE_ID) and registered at jambonz on Fonella's carrier.
//
// importHotlineNumbers — POST /v1/admin/hotline-numbers, and the demo's seeding.
//   input: Fonella's Sipgate account (numbers, the hotline trunk's login), jambonz (carriers); output:
//   the numbers added now, how many the pool had already, how many the trunk has, and the waiting
//   hotlines that got a number.
//   1. list the account's numbers (a Sipgate failure is the provider's 502; nothing is written) and
//      keep those routed to the hotline trunk, each with its area: the first group of Sipgate's
//      `localized` form (`030 23125001`: 30), checked against the number (+49 30...); one that does not
//      fit is logged and left out;
//   2. Fonella's carrier at jambonz (`hotlineCarrier`): found by its name, or made;
//   3. store each number as free unless the pool has it: one conditional put per number, so a second
//      import adds only what is new and never touches an existing row (an assigned number stays
//      assigned);
//   4. for each area of the trunk's numbers, give free numbers to the area's waiting hotlines, first
//      created first, one each (`serveWaitingHotlines`); each goes back to `created` with its number,
//      and the provisioning worker registers it and marks it active. An import cut short is finished
//      by running it again.
//
// listHotlineNumbers — GET /v1/admin/hotline-numbers.
//   input: page size, cursor, optional status and area code; output: one page of numbers with their
//   area and assignment, and the next page's cursor (400 `invalid-cursor` for one this listing did
//   not give out).
import { getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/core';
import { PARSING_PHONE_METADATA as PARSING } from '../model/phone-metadata';
import type { FreeNumber, HotlineNumberPage, HotlineNumberStatus, HotlineNumbersRepository } from '../db/hotline-numbers';
import { normalizeAreaCode, type HotlineArea } from '../model/hotline-area';
import { logger } from '../observability/logger';
import type { JambonzPlatform } from '../providers/jambonz/port';
import type { Telephony } from '../providers/sipgate/port';

const E164 = /^\+[1-9][0-9]{1,14}$/;
/** Sipgate's national form: the area code, with its trunk prefix, is the first group. */
const LOCALIZED_AREA = /^0*([1-9][0-9]*) [0-9]/;

/** Puts in flight at once: a trunk of a few hundred numbers imports well within the function's time. */
const CONCURRENT_PUTS = 10;
/** Free numbers one round of a take reads, and the rounds it tries before it reports none free. */
const CANDIDATES_PER_ROUND = 5;
const MAX_ROUNDS = 10;
/** Waiting hotlines one round of serving an area reads. */
const WAITING_PER_ROUND = 25;

/**
 * The jambonz carrier Fonella's hotline numbers are registered on: one for the whole Sipgate hotline
 * trunk, Fonella's, not an organisation's (a number belongs to Fonella's Sipgate account whichever
 * organisation's hotline it serves). The import finds it by this fixed name or makes it, and stores its
 * sid with every number it imports: the numbers enter the system there, so the carrier exists before
 * any number needs it, provisioning needs no lookup, and no setting holds a sid that could name nothing
 * (a stage sets only the trunk's Sipgate device id). A carrier someone made by hand under this name is
 * used as it is. Two first imports at the same moment could each make one; each stores its own sid
 * with its numbers, which works either way, and later imports take the first jambonz lists.
 */
export const HOTLINE_CARRIER_NAME = 'fonella-sipgate-hotlines';

export interface HotlineCarrierDeps {
  telephony: Pick<Telephony, 'deviceLogin'>;
  jambonz: Pick<JambonzPlatform, 'listCarriers' | 'createCarrier' | 'deleteCarrier' | 'createSipGateway'>;
  /** Sipgate's web user the hotline trunk device belongs to (SIPGATE_USER_ID). */
  sipgateUserId: string;
  /** Sipgate's id of the hotline trunk's register device (SIPGATE_HOTLINE_TRUNK_DEVICE_ID). */
  hotlineTrunkDeviceId: string;
}

/**
 * Fonella's carrier for the hotline trunk: found by name, or made to register at Sipgate as the
 * hotline trunk device (so Sipgate routes the trunk's calls to jambonz), with Sipgate's registrar as
 * its outbound gateway. The device's password passes from Sipgate to jambonz and nowhere else.
 */
export async function hotlineCarrier(deps: HotlineCarrierDeps): Promise<string> {
  const found = (await deps.jambonz.listCarriers()).find((c) => c.name === HOTLINE_CARRIER_NAME);
  if (found) return found.sid;
  const login = await deps.telephony.deviceLogin({ userId: deps.sipgateUserId, deviceId: deps.hotlineTrunkDeviceId });
  const { sid } = await deps.jambonz.createCarrier({
    name: HOTLINE_CARRIER_NAME,
    description: `Fonella's hotline numbers: the Sipgate hotline trunk (device ${deps.hotlineTrunkDeviceId})`,
    e164LeadingPlus: true,
    registration: { username: login.sipId, sipRealm: login.sipServer, password: login.password },
  });
  try {
    await deps.jambonz.createSipGateway({ carrierSid: sid, address: login.sipServer, port: 5060, inbound: false, outbound: true });
  } catch (err) {
    // Undone, so that the next import makes it whole rather than finding half of it by its name.
    await deps.jambonz.deleteCarrier(sid).catch(() => undefined);
    throw err;
  }
  return sid;
}

/** The area of a trunk number, from Sipgate's `localized` form, when it fits the number. */
function areaOf(number: string, localized: string | null): HotlineArea | undefined {
  const areaCode = localized ? LOCALIZED_AREA.exec(localized.trim())?.[1] : undefined;
  const parsed = parsePhoneNumberFromString(number, PARSING);
  if (!areaCode || !parsed || !String(parsed.nationalNumber).startsWith(areaCode)) return undefined;
  return { countryCode: String(parsed.countryCallingCode), areaCode };
}

/** The area of an organisation's local numbers: its SIP account's country and area code. */
export function areaOfSipAccount(sip: { country: string; cityCode: string }): HotlineArea {
  return { countryCode: String(getCountryCallingCode(sip.country as CountryCode, PARSING)), areaCode: normalizeAreaCode(sip.cityCode) };
}

const areaId = (a: HotlineArea) => `${a.countryCode}#${a.areaCode}`;

export interface NumberPoolDeps {
  numbers: Pick<HotlineNumbersRepository, 'freeNumbers' | 'take' | 'waitingHotlines' | 'closeWaitingArea'>;
  now?: () => Date;
}

const nowOf = (deps: { now?: () => Date }) => (deps.now?.() ?? new Date()).toISOString();

/**
 * A free number of the area for the hotline, taken atomically (shared/db/hotline-numbers.ts `take`):
 * the number, `none-free` when the area has none (or every candidate went to concurrent takers for
 * ten rounds), or `hotline-not-ready` when the hotline is not in the state `from` expects.
 */
export async function takeNumber(
  deps: NumberPoolDeps,
  input: { hotlineId: number; organizationId: number; area: HotlineArea; from: 'provisioning' | 'waiting' },
): Promise<FreeNumber | 'none-free' | 'hotline-not-ready'> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // After a round lost to concurrent takers, a short random pause spreads the next tries.
    if (round > 0) await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * round));
    const candidates = await deps.numbers.freeNumbers(input.area, CANDIDATES_PER_ROUND);
    if (candidates.length === 0) return 'none-free';
    for (const number of candidates) {
      const outcome = await deps.numbers.take({ ...input, number, now: nowOf(deps) });
      if (outcome === 'taken') return number;
      if (outcome === 'hotline-not-ready') return 'hotline-not-ready';
    }
  }
  return 'none-free';
}

export interface ServedHotline {
  hotlineId: number;
  organizationId: number;
  number: string;
}

/**
 * Gives the area's free numbers to its waiting hotlines, first created first, one each, until either
 * runs out; answers the hotlines served. A hotline the index still lists but that no longer waits is
 * passed over. Once none waits, the area's row goes (a later shortage there emails the admins again).
 */
export async function serveWaitingHotlines(deps: NumberPoolDeps, area: HotlineArea): Promise<ServedHotline[]> {
  const served: ServedHotline[] = [];
  for (;;) {
    const waiting = await deps.numbers.waitingHotlines(area, WAITING_PER_ROUND);
    let progress = false;
    for (const h of waiting) {
      const outcome = await takeNumber(deps, { ...h, area, from: 'waiting' });
      if (outcome === 'none-free') return served;
      if (outcome === 'hotline-not-ready') continue;
      served.push({ ...h, number: outcome.number });
      progress = true;
    }
    if (!progress) break;
  }
  await deps.numbers.closeWaitingArea(area);
  return served;
}

export interface ImportHotlineNumbersDeps extends HotlineCarrierDeps {
  telephony: Pick<Telephony, 'listNumbers' | 'deviceLogin'>;
  numbers: Pick<HotlineNumbersRepository, 'importNumber'> & NumberPoolDeps['numbers'];
  now?: () => Date;
}

export interface HotlineImportResult {
  imported: string[];
  alreadyInPool: number;
  total: number;
  /** Waiting hotlines that got a number now, each to be provisioned next. */
  assigned: ServedHotline[];
}

export async function importHotlineNumbers(deps: ImportHotlineNumbersDeps): Promise<HotlineImportResult> {
  const importedAt = nowOf(deps);
  const numbers = (await deps.telephony.listNumbers())
    .filter((n) => n.endpointId === deps.hotlineTrunkDeviceId)
    .flatMap((n) => {
      const area = E164.test(n.number) ? areaOf(n.number, n.localized) : undefined;
      if (area) return [{ ...n, ...area, localized: n.localized! }];
      logger.warn('hotline trunk number without an area code that fits it, not imported', { sipgateNumberId: n.id });
      return [];
    });
  numbers.sort((a, b) => a.number.localeCompare(b.number));

  const imported: string[] = [];
  let alreadyInPool = 0;
  if (numbers.length > 0) {
    const carrierSid = await hotlineCarrier(deps);
    for (let i = 0; i < numbers.length; i += CONCURRENT_PUTS) {
      const batch = numbers.slice(i, i + CONCURRENT_PUTS);
      const outcomes = await Promise.all(
        batch.map((n) =>
          deps.numbers.importNumber({
            number: n.number,
            localized: n.localized,
            countryCode: n.countryCode,
            areaCode: n.areaCode,
            sipgateNumberId: n.id,
            carrierSid,
            status: 'free',
            importedAt,
          }),
        ),
      );
      outcomes.forEach((o, j) => (o.created ? imported.push(batch[j]!.number) : alreadyInPool++));
    }
  }

  const areas = new Map(numbers.map((n) => [areaId(n), { countryCode: n.countryCode, areaCode: n.areaCode }]));
  const assigned: ServedHotline[] = [];
  for (const area of areas.values()) assigned.push(...(await serveWaitingHotlines(deps, area)));
  if (assigned.length) logger.info('waiting hotlines got numbers', { hotlineIds: assigned.map((a) => a.hotlineId) });
  return { imported, alreadyInPool, total: numbers.length, assigned };
}

export interface HotlineNumberView {
  number: string;
  localized: string;
  countryCode: string;
  areaCode: string;
  status: HotlineNumberStatus;
  hotlineId: number | null;
  organizationId: number | null;
  assignedAt: string | null;
  importedAt: string;
  sipgateNumberId: string;
}

export async function listHotlineNumbers(
  deps: { numbers: Pick<HotlineNumbersRepository, 'list'> },
  input: { limit: number; cursor?: string; status?: HotlineNumberStatus; areaCode?: string },
): Promise<{ items: HotlineNumberView[]; nextCursor: HotlineNumberPage['nextCursor'] }> {
  const page = await deps.numbers.list({ ...input, areaCode: input.areaCode === undefined ? undefined : normalizeAreaCode(input.areaCode) });
  return {
    items: page.items.map((r) => ({
      number: r.number,
      localized: r.localized,
      countryCode: r.countryCode,
      areaCode: r.areaCode,
      status: r.status,
      hotlineId: r.hotlineId ?? null,
      organizationId: r.organizationId ?? null,
      assignedAt: r.assignedAt ?? null,
      importedAt: r.importedAt,
      sipgateNumberId: r.sipgateNumberId,
    })),
    nextCursor: page.nextCursor,
  };
}
