// The Sipgate adapter wired to this function's config; both trunk devices are always protected.
import { sipgateAdapter } from './adapter';
import { sipgateConfig } from './config';
import type { Telephony } from './port';

export type * from './port';
export { sipgateConfig } from './config';
export { SipgateRegisterDeviceForbiddenError } from './adapter';

let telephony: Telephony | undefined;
export function configuredSipgate(): Telephony {
  if (!telephony) {
    const c = sipgateConfig();
    telephony = sipgateAdapter({ baseUrl: c.baseUrl, tokenId: c.tokenId, token: c.token, protectedDeviceIds: [c.trunkDeviceId, c.hotlineTrunkDeviceId] });
  }
  return telephony;
}
