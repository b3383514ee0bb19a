// The partner portal: activation with the invite link's token, payout details, and the partner's figures.
import { createFonellaClient } from '../index';

export async function partnerHome(baseUrl: string, getAccessToken: () => Promise<string>, inviteToken: string) {
  const api = createFonellaClient({ baseUrl, token: getAccessToken });

  await api.POST('/v1/partner/activate', { body: { inviteToken } });
  await api.PUT('/v1/partner/payout-details', { body: { iban: 'DE89370400440532013000', accountHolder: 'Reseller GmbH' } });
  const { data: me } = await api.GET('/v1/partner');
  return { link: me?.referralLink, referred: me?.referredCustomers };
}
