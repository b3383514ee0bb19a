// The partner portal and customers' referrals.
//
// activatePartner — POST /v1/partner/activate (any signed-in user).
//   1. hash the token and find the partner whose outstanding invite has that hash;
//   2. unknown hash: 400 invite-invalid; used: 410 invite-used (200 again for the partner's own user);
//      expired: 410 invite-expired; the partner disabled meanwhile: 410 invite-revoked;
//   3. link the caller and make the partner active in one transaction (see partnerAccountsRepository.activate):
//      of two activations with one token one wins, the other is told the invite is used; a caller
//      linked to another partner gets 409 partner-already-linked.
//
// activePartner — every other partner route, before its use case: the caller's link (one GetItem on
//   the caller's id) and the partner's row; no link, or a partner not active: 403 partner-required.
//
// savePayoutDetails — PUT /v1/partner/payout-details: IBAN and account holder sealed with a fresh KMS
//   data key (shared/crypto/envelope.ts, the partner's id as context), stored with their masks and the
//   readable billing fields; answered masked.
//
// partnerOverview — GET /v1/partner: profile, code, link, referred customers (name, plan, since) and
//   the commission of this and last month.
//
// saveReferral — POST /v1/me/referral: a referral saved before is answered as it is (200, never
//   overwritten). Otherwise the partner by public code, else by a legacy partner user id (the user a
//   partner activated as); refused: unknown (404), disabled or not yet active (409), the caller's own
//   partner (409); saved with a conditional put (201).
import type { Plan } from '../config/plans';
import type { KeyRing } from '../crypto/envelope';
import type { PartnerAccountsRepository, PartnerRecord, StoredPayoutDetails } from '../db/partner-accounts';
import { hashInviteToken, type PartnerRow, type PartnersRepository } from '../db/partners';
import { AppError, BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { logger } from '../observability/logger';
import { maskIban, maskName, normalizeIban } from '../model/bank-details';

export const INVITE_INVALID = 'invite-invalid';
export const INVITE_USED = 'invite-used';
export const INVITE_EXPIRED = 'invite-expired';
export const INVITE_REVOKED = 'invite-revoked';
export const PARTNER_ALREADY_LINKED = 'partner-already-linked';
export const PARTNER_REQUIRED = 'partner-required';
export const REFERRAL_UNKNOWN_PARTNER = 'referral-unknown-partner';
export const REFERRAL_PARTNER_INACTIVE = 'referral-partner-inactive';
export const REFERRAL_SELF = 'referral-self';

export interface PartnerPortalDeps {
  partners: Pick<PartnersRepository, 'get' | 'findByInviteTokenHash' | 'findByPublicCode'>;
  accounts: PartnerAccountsRepository;
  now?: () => Date;
}

const gone = (slug: string, detail: string) => new AppError(410, slug, 'Gone', detail);
const nowOf = (deps: { now?: () => Date }) => deps.now?.() ?? new Date();

export async function activatePartner(deps: PartnerPortalDeps, callerId: string, inviteToken: string) {
  const hash = hashInviteToken(inviteToken);
  const partner = await deps.partners.findByInviteTokenHash(hash);
  if (!partner) throw new BadRequestError(INVITE_INVALID, 'This invite link is not valid: ask for a new invite.');
  const now = nowOf(deps).toISOString();
  // Read again, strongly consistent: the index may lag behind an activation that just happened.
  const current: PartnerRecord = (await deps.partners.get(partner.partnerId)) ?? partner;
  const outcome = usedOrExpired(current, callerId, hash, now) ?? (await deps.accounts.activate({ userId: callerId, partnerId: current.partnerId, inviteTokenHash: hash, now })).outcome;
  switch (outcome) {
    case 'activated':
      logger.info('partner activated', { partnerId: current.partnerId, userId: callerId });
      return { partnerId: current.partnerId, status: 'active' as const };
    case 'own':
      return { partnerId: current.partnerId, status: 'active' as const };
    case 'user-linked':
      throw new ConflictError('You are already linked to a partner account.', PARTNER_ALREADY_LINKED);
    case 'expired':
      throw gone(INVITE_EXPIRED, 'This invite link has expired: ask for a new invite.');
    case 'revoked':
      throw gone(INVITE_REVOKED, 'This partner account has been disabled.');
    case 'used':
    case 'invite-gone': {
      // A concurrent activation won: it may have been the caller's own retry.
      const after: PartnerRecord | undefined = await deps.partners.get(current.partnerId);
      if (after?.auth0UserId === callerId) return { partnerId: current.partnerId, status: 'active' as const };
      const again = after ? usedOrExpired(after, callerId, hash, now) : 'used';
      if (again === 'expired') throw gone(INVITE_EXPIRED, 'This invite link has expired: ask for a new invite.');
      if (again === 'revoked') throw gone(INVITE_REVOKED, 'This partner account has been disabled.');
      throw gone(INVITE_USED, 'This invite link has been used already.');
    }
  }
}

function usedOrExpired(p: PartnerRecord, callerId: string, hash: string, now: string): 'own' | 'used' | 'expired' | 'revoked' | undefined {
  if (p.auth0UserId === callerId) return 'own';
  if (p.inviteUsedAt || p.auth0UserId || p.inviteTokenHash !== hash) return 'used';
  if (p.status === 'disabled') return 'revoked';
  if (p.inviteExpiresAt <= now) return 'expired';
  return undefined;
}

/** The caller's partner, active; otherwise 403. */
export async function activePartner(deps: Pick<PartnerPortalDeps, 'partners' | 'accounts'>, callerId: string): Promise<PartnerRow> {
  const link = await deps.accounts.findLink(callerId);
  const partner = link ? await deps.partners.get(link.partnerId) : undefined;
  if (!partner || partner.status !== 'active' || partner.auth0UserId !== callerId) {
    throw new ForbiddenError(
      partner?.status === 'disabled' ? 'Your partner account is disabled.' : 'This route needs an active partner account.',
      PARTNER_REQUIRED,
    );
  }
  return partner;
}

export interface PayoutDetailsInput {
  payoutIban: string;
  payoutBic: string;
  payoutBankName: string;
  payoutAccountHolder: string;
  billingCompany?: string;
  billingName: string;
  billingStreet: string;
  billingZip: string;
  billingCity: string;
  billingCountry: string;
  billingVatId?: string;
}

/** The context a partner's sealed details open under: they open on this partner's row only. */
export const payoutContext = (partnerId: string) => ({ purpose: 'partner-payout', partnerId });

export async function savePayoutDetails(deps: { accounts: PartnerAccountsRepository; keys: KeyRing; now?: () => Date }, partner: PartnerRow, input: PayoutDetailsInput) {
  const iban = normalizeIban(input.payoutIban);
  const sealed = await deps.keys.seal({ payoutIban: iban, payoutAccountHolder: input.payoutAccountHolder }, payoutContext(partner.partnerId));
  const stored: StoredPayoutDetails = {
    sealed,
    payoutIbanMasked: maskIban(iban),
    payoutAccountHolderMasked: maskName(input.payoutAccountHolder),
    payoutBic: input.payoutBic.replace(/\s+/g, '').toUpperCase(),
    payoutBankName: input.payoutBankName,
    billingCompany: input.billingCompany ?? null,
    billingName: input.billingName,
    billingStreet: input.billingStreet,
    billingZip: input.billingZip,
    billingCity: input.billingCity,
    billingCountry: input.billingCountry,
    billingVatId: input.billingVatId ? input.billingVatId.replace(/[\s.-]+/g, '').toUpperCase() : null,
    updatedAt: nowOf(deps).toISOString(),
  };
  if (!(await deps.accounts.savePayoutDetails(partner.partnerId, stored))) throw new NotFoundError('The partner account no longer exists.');
  // Keys named like `iban` are redacted whatever their value: the masked account goes under its own name.
  logger.info('partner payout details saved', { partnerId: partner.partnerId, account: stored.payoutIbanMasked });
  return payoutView(stored);
}

export function payoutView(d: StoredPayoutDetails) {
  const { sealed: _sealed, ...visible } = d;
  return visible;
}

/** First instants (UTC) of this month, last month and next month. */
function monthBounds(now: Date) {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return { last: new Date(Date.UTC(y, m - 1, 1)).toISOString(), current: new Date(Date.UTC(y, m, 1)).toISOString(), next: new Date(Date.UTC(y, m + 1, 1)).toISOString() };
}

export async function partnerOverview(
  deps: { accounts: PartnerAccountsRepository; plans: Plan[]; portalUrl: string; now?: () => Date },
  partner: PartnerRecord,
) {
  const referrals = await deps.accounts.referralsOf(partner.partnerId);
  const customers = await deps.accounts.customersSummary(referrals.map((r) => r.userId));
  const bounds = monthBounds(nowOf(deps));
  const price = new Map(deps.plans.map((p) => [p.id as string, p]));
  const currency = deps.plans[0]?.currency ?? 'EUR';

  // A customer earns the partner a month's commission when referred before the month ended and
  // subscribed to a plan during it: subscribed before its end, not ended before its start.
  const commission = (from: string, to: string) => {
    let cents = 0;
    for (const r of referrals) {
      const c = customers.get(r.userId);
      const plan = c?.planId ? price.get(c.planId) : undefined;
      if (!c || !plan || !c.subscribedAt || r.referredAt >= to || c.subscribedAt >= to) continue;
      if (!c.planInForce && !(c.endedAt && c.endedAt >= from)) continue;
      cents += (plan.monthlyPriceCents * partner.commissionPercent) / 100;
    }
    return { amountCents: Math.round(cents), currency };
  };

  return {
    partnerId: partner.partnerId,
    name: partner.name,
    email: partner.email,
    status: partner.status === 'disabled' ? ('disabled' as const) : ('active' as const),
    commissionPercent: partner.commissionPercent,
    publicCode: partner.publicCode,
    referralLink: `${deps.portalUrl}/?ref=${encodeURIComponent(partner.publicCode)}`,
    activatedAt: partner.activatedAt ?? null,
    payoutDetails: partner.payoutDetails ? payoutView(partner.payoutDetails) : null,
    referredCustomers: {
      count: referrals.length,
      items: referrals.map((r) => {
        const c = customers.get(r.userId);
        return { name: c?.name ?? null, planId: c?.planInForce ? c.planId : null, since: r.referredAt };
      }),
    },
    commission: { thisMonth: commission(bounds.current, bounds.next), lastMonth: commission(bounds.last, bounds.current) },
  };
}

export async function saveReferral(deps: PartnerPortalDeps, callerId: string, refId: string) {
  const saved = await deps.accounts.findReferral(callerId);
  if (saved) return { created: false, referral: { partnerId: saved.partnerId, referredAt: saved.referredAt } };
  const partner = (await deps.partners.findByPublicCode(refId.toUpperCase())) ?? (await partnerByLegacyUserId(deps, refId));
  if (!partner) throw new NotFoundError('No partner has this referral code.');
  if (partner.auth0UserId === callerId) throw new ConflictError('A partner cannot refer themself.', REFERRAL_SELF);
  if (partner.status !== 'active') throw new ConflictError('This partner does not take referrals.', REFERRAL_PARTNER_INACTIVE);
  const row = { userId: callerId, partnerId: partner.partnerId, referredAt: nowOf(deps).toISOString(), refId };
  const outcome = await deps.accounts.saveReferral(row);
  // A concurrent first call may have saved another referral a moment before: that one stays.
  const stored = outcome.created ? row : outcome.existing;
  if (outcome.created) logger.info('referral saved', { userId: callerId, partnerId: partner.partnerId });
  return { created: outcome.created, referral: { partnerId: stored.partnerId, referredAt: stored.referredAt } };
}

async function partnerByLegacyUserId(deps: PartnerPortalDeps, refId: string): Promise<PartnerRow | undefined> {
  if (!refId.includes('|')) return undefined;
  const link = await deps.accounts.findLink(refId);
  return link ? deps.partners.get(link.partnerId) : undefined;
}
