// provisionHotline — what the provisionHotline worker does for a hotline whose status became `created`:
// 1. read the hotline (consistently) and do nothing unless it is `created` or `failed`;
// 2. its number, unless it has one: a free number of the hotline number pool in its area (the
//    organisation's SIP account: its country and area code, `030` and `30` alike), taken atomically
//    with the hotline's row (shared/domain/hotline-numbers.ts `takeNumber`). With none free there, the
//    hotline goes to `waiting-for-number` (not `failed`: nothing is retried; the admins get one email
//    per area from the area's row, and importing a number for the area gives it one and puts it back
//    to `created`). Then the area is served once more, for a number imported between the two steps
//    (the index that finds free numbers is eventually consistent on AWS: a number imported in the
//    same instant can still be missed by both sides, and the hotline then waits for the next import);
// 3. a jambonz application whose call hook and call status hook are our webhooks for this hotline
//    (found by its name if an earlier run made it), kept on the row;
// 4. the number on Fonella's carrier (the one it was imported with), routed to that application
//    (found by number likewise), kept on the row;
// 5. status `active`. A failure marks the row `failed` with the reason and is thrown again, so that
//    the stream retries the record (and, past its retries, parks it where the hub can re-drive it);
//    a number once taken stays the hotline's.
import type { HotlinesRepository } from '../db/hotlines';
import type { OrganizationsRepository } from '../db/organizations';
import { AppError, ProviderRejectedError } from '../errors';
import type { JambonzPlatform } from '../providers/jambonz/port';
import { areaOfSipAccount, serveWaitingHotlines, takeNumber, type NumberPoolDeps } from './hotline-numbers';
import type { HotlineNumbersRepository } from '../db/hotline-numbers';

export interface ProvisioningDeps {
  hotlines: HotlinesRepository;
  organizations: OrganizationsRepository;
  numbers: NumberPoolDeps['numbers'] & Pick<HotlineNumbersRepository, 'startWaiting'>;
  jambonz: JambonzPlatform;
  /** The API's public base URL, where jambonz reaches our hooks. */
  hookBaseUrl: string;
  now?: () => Date;
}

/** The hooks of hotline `id` under the API's base URL. */
export const hotlineHooks = (base: string, id: number) => ({
  callHook: { url: `${base}/v1/webhooks/jambonz/hotlines/${id}/call`, method: 'POST' as const },
  callStatusHook: { url: `${base}/v1/webhooks/jambonz/hotlines/${id}/status`, method: 'POST' as const },
});

export const applicationName = (id: number) => `fonella-hotline-${id}`;

export async function provisionHotline(deps: ProvisioningDeps, id: number): Promise<'active' | 'waiting-for-number' | 'skipped'> {
  let hotline = await deps.hotlines.get(id);
  if (!hotline || (hotline.status !== 'created' && hotline.status !== 'failed')) return 'skipped';
  try {
    if (!hotline.number) {
      const sip = await deps.organizations.getSipAccount(hotline.organizationID);
      if (sip?.status !== 'active') throw new Error('the organisation has no SIP account');
      const area = areaOfSipAccount(sip);
      const taken = await takeNumber(deps, { hotlineId: id, organizationId: hotline.organizationID, area, from: 'provisioning' });
      if (taken === 'none-free') {
        const now = (deps.now?.() ?? new Date()).toISOString();
        if (!(await deps.numbers.startWaiting({ hotlineId: id, area, now }))) return 'skipped';
        // An import may have added a number after the take found none and before this hotline waited.
        await serveWaitingHotlines(deps, area);
        return 'waiting-for-number';
      }
      // Another run of this record was first (it took the number, or the hotline moved on): read it again.
      hotline = await deps.hotlines.get(id);
      if (!hotline || (hotline.status !== 'created' && hotline.status !== 'failed')) return 'skipped';
    }
    const { number, carrierSid } = hotline;
    // A number from before the pool (made up, on no carrier of ours) is never registered.
    if (!number || !carrierSid) throw new Error('the hotline has no number from the hotline number pool');

    let applicationSid = hotline.applicationSid;
    if (!applicationSid) {
      applicationSid = await foundOrMade(
        async () => (await deps.jambonz.listApplications()).find((a) => a.name === applicationName(id))?.sid,
        async () => (await deps.jambonz.createApplication({ name: applicationName(id), ...hotlineHooks(deps.hookBaseUrl, id) })).sid,
      );
      await deps.hotlines.setProviderIds(id, { applicationSid });
    }
    let phoneNumberSid = hotline.phoneNumberSid;
    if (!phoneNumberSid) {
      phoneNumberSid = await foundOrMade(
        async () => (await deps.jambonz.listPhoneNumbers()).find((p) => p.number === number)?.sid,
        async () => (await deps.jambonz.createPhoneNumber({ number, carrierSid, applicationSid })).sid,
      );
      await deps.hotlines.setProviderIds(id, { phoneNumberSid });
    }
    await deps.hotlines.markActive(id, (deps.now?.() ?? new Date()).toISOString());
    return 'active';
  } catch (err) {
    await deps.hotlines.markFailed(id, reasonOf(err));
    throw err;
  }
}

/**
 * The jambonz resource `find` names, else one `make` creates. Two runs of one record (a redelivery while
 * the first still runs) can both find none: jambonz refuses the second creation (422, the name or number
 * exists), and that run takes the one the other made.
 */
async function foundOrMade(find: () => Promise<string | undefined>, make: () => Promise<string>): Promise<string> {
  const found = await find();
  if (found) return found;
  try {
    return await make();
  } catch (err) {
    const made = err instanceof ProviderRejectedError ? await find() : undefined;
    if (made) return made;
    throw err;
  }
}

/** What the hotline shows as its failure: our typed error's text (provider and operation, never a secret). */
const reasonOf = (err: unknown) => (err instanceof AppError ? err.message : err instanceof Error ? err.message : 'provisioning failed').slice(0, 300);
