// provisionHotline — what the provisionHotline worker does for a hotline whose status became `created`:
// 1. read the hotline (consistently) and do nothing unless it is `created` or `failed`;
// 2. its local number: the organisation's country and area code (SIP account) and the hotline's id
//    (a stand-in for a carrier's number order: the same hotline always gets the same number);
// 3. a jambonz application whose call hook and call status hook are our webhooks for this hotline
//    (found by its name if an earlier run made it), kept on the row;
// 4. the number on the organisation's carrier, routed to that application (found by number likewise);
// 5. status `active`. A failure marks the row `failed` with the reason and is thrown again, so that
//    the stream retries the record (and, past its retries, parks it where the hub can re-drive it).
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js/max';
import type { HotlinesRepository } from '../db/hotlines';
import type { OrganizationsRepository } from '../db/organizations';
import { AppError } from '../errors';
import type { JambonzPlatform } from '../providers/jambonz/port';

export interface ProvisioningDeps {
  hotlines: HotlinesRepository;
  organizations: OrganizationsRepository;
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

export function localNumber(country: string, cityCode: string, id: number): string {
  return `+${getCountryCallingCode(country as CountryCode)}${cityCode.replace(/^0+/, '')}555${String(id).padStart(4, '0')}`;
}

export async function provisionHotline(deps: ProvisioningDeps, id: number): Promise<'active' | 'skipped'> {
  const hotline = await deps.hotlines.get(id);
  if (!hotline || (hotline.status !== 'created' && hotline.status !== 'failed')) return 'skipped';
  try {
    const sip = await deps.organizations.getSipAccount(hotline.organizationID);
    if (sip?.status !== 'active' || !sip.carrierSid) throw new Error('the organisation has no SIP account');
    const number = hotline.number ?? localNumber(sip.country, sip.cityCode, id);

    let applicationSid = hotline.applicationSid;
    if (!applicationSid) {
      applicationSid =
        (await deps.jambonz.listApplications()).find((a) => a.name === applicationName(id))?.sid ??
        (await deps.jambonz.createApplication({ name: applicationName(id), ...hotlineHooks(deps.hookBaseUrl, id) })).sid;
      await deps.hotlines.setProviderIds(id, { applicationSid, number });
    }
    let phoneNumberSid = hotline.phoneNumberSid;
    if (!phoneNumberSid) {
      phoneNumberSid =
        (await deps.jambonz.listPhoneNumbers()).find((p) => p.number === number)?.sid ??
        (await deps.jambonz.createPhoneNumber({ number, carrierSid: sip.carrierSid, applicationSid })).sid;
      await deps.hotlines.setProviderIds(id, { phoneNumberSid });
    }
    await deps.hotlines.markActive(id, (deps.now?.() ?? new Date()).toISOString());
    return 'active';
  } catch (err) {
    await deps.hotlines.markFailed(id, reasonOf(err));
    throw err;
  }
}

/** What the hotline shows as its failure: our typed error's text (provider and operation, never a secret). */
const reasonOf = (err: unknown) => (err instanceof AppError ? err.message : err instanceof Error ? err.message : 'provisioning failed').slice(0, 300);
