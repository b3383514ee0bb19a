// The customer portal: the signed-in customer's profile, a subscription, their assistant and their calls.
import { createFonellaClient, problemSlug } from '../index';

export async function portalHome(baseUrl: string, getAccessToken: () => Promise<string>) {
  const api = createFonellaClient({ baseUrl, token: getAccessToken });

  const { data: me } = await api.GET('/v1/me');
  if (!me?.subscription) {
    const subscribed = await api.POST('/v1/me/subscription', { body: { planId: 'business' } });
    // Stripe's Payment Element confirms the first payment with subscribed.data.clientSecret.
    if (subscribed.error) return { me, problem: problemSlug(subscribed.error) };
  }
  const { data: assistant } = await api.PUT('/v1/me/assistant', { body: { greeting: 'Demo GmbH, good morning!', language: 'en' } });
  const { data: calls } = await api.GET('/v1/me/calls', { params: { query: { limit: '20' } } });
  return { me, number: assistant?.phoneNumber, calls: calls?.items.map((c) => ({ at: c.startedAt, summary: c.summary })) };
}
