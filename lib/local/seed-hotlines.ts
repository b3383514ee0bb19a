// The hotline service's demo on the local stack: the demo customer runs "Demo fire brigade" (organisation
// 1: its admin, with the SIP account made through the route's own use case, so the jambonz emulator has
// its carrier and gateway), the demo partner is a member (invited, the invitation accepted) who allows
// the organisation's admins, and hotline 1 rings the customer's agent phone (the customer allows the
// organisation too: an agent's phones ring only with that consent). First the hotline trunk's numbers
// are imported into the hotline pool by the admin import's own use case (idempotent; it makes Fonella's
// jambonz carrier), so the stream provisions the hotline like any other: an Aachen (0241) number of the
// pool, registered on that carrier. The hub's "Simulate an inbound call" beside its number in the
// jambonz emulator calls it.
import type { TableRef } from '../../shared/db/client';
import { agentPhonesRepository } from '../../shared/db/agent-phones';
import { itemsReader } from '../../shared/db/get-items';
import { hotlineNumbersRepository } from '../../shared/db/hotline-numbers';
import { hotlinesRepository } from '../../shared/db/hotlines';
import { organizationsRepository } from '../../shared/db/organizations';
import { createSipAccount } from '../../shared/domain/hotlines';
import { importHotlineNumbers } from '../../shared/domain/hotline-numbers';
import { hotlineConfig } from '../../shared/config/hotlines';
import { quotaConfig } from '../../shared/config/quotas';
import { jambonzAdapter } from '../../shared/providers/jambonz/adapter';
import { sipgateAdapter } from '../../shared/providers/sipgate/adapter';
import type { RunningEmulator } from './emulators/kit';

export const DEMO_HOTLINE = { organizationName: 'Demo fire brigade', agentPhone: '+4924155660' } as const;

export async function seedDemoHotline(t: TableRef, running: RunningEmulator[], users: { admin: string; member: string }): Promise<void> {
  const emulator = running.find((e) => e.name === 'jambonz')!;
  const env = emulator.definition.env(emulator.baseUrl);
  const jambonz = jambonzAdapter({ baseUrl: env.JAMBONZ_BASE_URL!, apiKey: env.JAMBONZ_API_KEY!, accountSid: env.JAMBONZ_ACCOUNT_SID! });
  const sipgate = running.find((e) => e.name === 'sipgate')!;
  const sipgateEnv = sipgate.definition.env(sipgate.baseUrl);
  await importHotlineNumbers({
    telephony: sipgateAdapter({ baseUrl: sipgate.baseUrl, tokenId: sipgateEnv.SIPGATE_TOKEN_ID!, token: sipgateEnv.SIPGATE_TOKEN! }),
    jambonz,
    numbers: hotlineNumbersRepository(t),
    sipgateUserId: sipgateEnv.SIPGATE_USER_ID!,
    hotlineTrunkDeviceId: sipgateEnv.SIPGATE_HOTLINE_TRUNK_DEVICE_ID!,
  });
  const gateway = hotlineConfig.parse(process.env).sipGateway;
  const quotas = quotaConfig.parse(process.env);
  const organizations = organizationsRepository(t);
  const now = new Date().toISOString();
  if ((await organizations.getUser(users.admin)) !== undefined) return;
  const admin = await organizations.ensureUser(users.admin, now);
  const org = await organizations.createOrganization({ name: DEMO_HOTLINE.organizationName, admin, now, quota: quotas.organizationsPerUser });
  if (org === 'over-quota') throw new Error('the demo organisation is over the local quota');
  const member = await organizations.ensureUser(users.member, now);
  const membership = { organizationID: org.organizationID, userID: member.userID, sub: member.sub };
  await organizations.invite({ ...membership, role: 'member', invitedAt: now }, org.name);
  await organizations.acceptInvitation(membership, now);
  await organizations.setMemberConsent(membership, true);
  await organizations.setMemberConsent({ organizationID: org.organizationID, userID: admin.userID, sub: admin.sub }, true);
  const caller = { id: users.admin, emailVerified: false, permissions: [], isAdmin: false };
  await createSipAccount({ organizations, read: itemsReader(t), jambonz, gateway }, caller, {
    organizationID: org.organizationID,
    name: org.name,
    street: 'Stolberger Str.',
    streetHousenumber: 155,
    cityCode: '0241',
    city: 'Aachen',
    country: 'DE',
  });
  const phones = agentPhonesRepository(t);
  await phones.create(users.admin, { userID: admin.userID, name: 'Desk', phone: DEMO_HOTLINE.agentPhone, isActive: true, createdAt: now, updatedAt: now }, quotas.agentPhonesPerUser);
  const hotlines = hotlinesRepository(t);
  const hotline = {
    organizationID: org.organizationID,
    name: 'Demo night line',
    agents: [admin.userID],
    channelsInbound: 10,
    channelsOutbound: 10,
    isActive: true,
    status: 'created' as const,
    ttsInbound: 'You have reached the demo night line of the fire brigade. Please hold.',
    ttsOutbound: 'Incoming call from the demo night line.',
    createdAt: now,
    updatedAt: now,
  };
  await hotlines.create(hotline, quotas.hotlinesPerOrganization);
}
