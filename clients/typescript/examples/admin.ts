// The admin dashboard: the customers found by a search, the figures, and a partner invited.
import { createFonellaClient } from '../index';

export async function adminDashboard(baseUrl: string, getAccessToken: () => Promise<string>) {
  const api = createFonellaClient({ baseUrl, token: getAccessToken });

  const { data: page } = await api.GET('/v1/admin/customers', { params: { query: { q: 'müller', limit: '25' } } });
  const { data: stats } = await api.GET('/v1/admin/stats');
  const invited = await api.POST('/v1/admin/partners', { body: { name: 'Reseller GmbH', email: 'sales@reseller.example', commissionPercent: 20 } });
  return { customers: page?.items.map((c) => c.email), kpis: stats?.kpis, partnerCode: invited.data?.publicCode };
}
