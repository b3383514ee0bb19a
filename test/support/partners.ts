// Partners for tests, made through the repositories (an invite with a known token, marked sent so
// the invite worker leaves it) and the API (the activation), so a test can start from an invited or
// an active partner without reading the invite email.
import { randomBytes, randomUUID } from 'node:crypto';
import { hashInviteToken, partnersRepository, type PartnerRow } from '../../shared/db/partners';
import { randomPublicCode } from '../../shared/domain/partners';
import type { TestStack } from './stack';

export interface InvitedPartner {
  partnerId: string;
  publicCode: string;
  inviteToken: string;
}

/** A partner invited by an admin, with an invite token the test knows. */
export async function seedInvitedPartner(
  stack: TestStack,
  opts: { commissionPercent?: number; expiresAt?: string; name?: string } = {},
): Promise<InvitedPartner> {
  const inviteToken = randomBytes(32).toString('base64url');
  const now = new Date().toISOString();
  const row: PartnerRow = {
    partnerId: randomUUID(),
    name: opts.name ?? 'Test Partner GmbH',
    email: `partner-${randomUUID().slice(0, 8)}@example.com`,
    commissionPercent: opts.commissionPercent ?? 20,
    status: 'invited',
    publicCode: randomPublicCode(),
    inviteTokenHash: hashInviteToken(inviteToken),
    // As if the invite email had gone out: the invite worker leaves a sent invite alone.
    inviteMailId: `<seeded-${randomUUID()}@test>`,
    inviteSentAt: now,
    inviteExpiresAt: opts.expiresAt ?? new Date(Date.now() + 14 * 86_400_000).toISOString(),
    invitedBy: 'auth0|test-admin',
    createdAt: now,
    updatedAt: now,
  };
  if ((await partnersRepository(stack.table).create(row)) !== 'created') throw new Error('partner code taken');
  return { partnerId: row.partnerId, publicCode: row.publicCode, inviteToken };
}

/** An active partner: invited, then activated through the API by a new user, whose token it has. */
export async function seedActivePartner(stack: TestStack, opts: { commissionPercent?: number; sub?: string } = {}) {
  const invited = await seedInvitedPartner(stack, opts);
  const sub = opts.sub ?? `auth0|partner-${randomUUID()}`;
  const token = await stack.mintToken({ sub, email: 'partner@example.com', name: 'Pat Partner' });
  const res = await stack.call('POST', '/v1/partner/activate', { token, body: { inviteToken: invited.inviteToken } });
  if (res.status !== 200) throw new Error(`activation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...invited, sub, token };
}

/** The payout details of the product document's example, with realistic values: every field, valid together. */
export const PAYOUT = {
  payoutIban: 'DE89 3704 0044 0532 0130 00',
  payoutBic: 'COBADEFFXXX',
  payoutBankName: 'Commerzbank',
  payoutAccountHolder: 'Erika Mustermann',
  billingCompany: 'Muster Vertrieb GmbH',
  billingName: 'Max Beispiel',
  billingStreet: 'Hauptstraße 1',
  billingZip: '10115',
  billingCity: 'Berlin',
  billingCountry: 'DE',
  billingVatId: 'DE136695976',
};
