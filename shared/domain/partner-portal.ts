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
// activePartner — every other partner route, before its use case: the caller's link with their account
//   state (one BatchGetItem: the route's gate) and the partner's row; no link, or a partner not active:
//   403 partner-required.
//
// savePayoutDetails — PUT /v1/partner/payout-details: the fields given merged into those stored (every
//   field optional); IBAN and account holder sealed with a fresh KMS data key (shared/crypto/envelope.ts,
//   the partner's id as context), stored with their masks and the readable billing fields; answered masked.
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
import type { ReadTogether } from '../db/get-items';
import { partnerLinkRead, referralRead, type PartnerAccountsRepository, type PartnerRecord, type StoredPayoutDetails } from '../db/partner-accounts';
import { accountStateRead } from '../db/teardowns';
import { hashInviteToken, type PartnerRow, type PartnersRepository } from '../db/partners';
import { AppError, BadRequestError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { logger } from '../observability/logger';
import { assertAccountOpen } from './account-state';
import { bicFitsIbanCountry, ibanCountry, isEuCountry, isValidEuVatId, maskIban, maskName, normalizeIban } from '../model/bank-details';

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
export async function activePartner(deps: Pick<PartnerPortalDeps, 'partners'> & { read: ReadTogether }, callerId: string): Promise<PartnerRow> {
  // The route's account gate, folded into this read (`accountState` in its manifest entry).
  const { link, account } = await deps.read({ link: partnerLinkRead(callerId), account: accountStateRead(callerId) });
  assertAccountOpen(account);
  const partner = link ? await deps.partners.get(link.partnerId) : undefined;
  if (!partner || partner.status !== 'active' || partner.auth0UserId !== callerId) {
    throw new ForbiddenError(
      partner?.status === 'disabled' ? 'Your partner account is disabled.' : 'This route needs an active partner account.',
      PARTNER_REQUIRED,
    );
  }
  return partner;
}

/** What a PUT names; every field optional, at least one. */
export interface PayoutDetailsInput {
  payoutIban?: string;
  payoutBic?: string;
  payoutBankName?: string;
  payoutAccountHolder?: string;
  billingCompany?: string;
  billingName?: string;
  billingStreet?: string;
  billingZip?: string;
  billingCity?: string;
  billingCountry?: string;
  billingVatId?: string;
}

/** The context a partner's sealed details open under: they open on this partner's row only. */
export const payoutContext = (partnerId: string) => ({ purpose: 'partner-payout', partnerId });

/** Saves against stored details that changed meanwhile are merged again, this many times in all. */
const PAYOUT_SAVE_ATTEMPTS = 3;

/**
 * PUT /v1/partner/payout-details: the fields given replace the stored ones, the rest are kept. The
 * sealed pair (IBAN, account holder) is opened only when one of them changes and the other must be
 * carried over; the save is conditional on the stored details being those it merged into, and merged
 * again when another save came first.
 */
export async function savePayoutDetails(deps: { accounts: PartnerAccountsRepository; keys: KeyRing; now?: () => Date }, partner: PartnerRow, input: PayoutDetailsInput) {
  for (let attempt = 1; ; attempt++) {
    const { exists, details: current } = await deps.accounts.payoutDetails(partner.partnerId);
    if (!exists) throw new NotFoundError('The partner account no longer exists.');
    checkAgainstStored(input, current);
    const stored = await mergePayoutDetails(deps, partner.partnerId, current, input);
    const outcome = await deps.accounts.savePayoutDetails(partner.partnerId, stored, current?.updatedAt ?? null);
    if (outcome === 'partner-gone') throw new NotFoundError('The partner account no longer exists.');
    if (outcome === 'saved') {
      // Keys named like `iban` are redacted whatever their value: the masked account goes under its own name.
      logger.info('partner payout details saved', { partnerId: partner.partnerId, account: stored.payoutIbanMasked, fields: Object.keys(input) });
      return payoutView(stored);
    }
    if (attempt >= PAYOUT_SAVE_ATTEMPTS) throw new ConflictError('The payout details changed while they were saved; send the request again.', 'payout-details-changed');
  }
}

/** The cross-checks of a partial PUT against what is stored: a BIC alone fits the stored IBAN's country, an IBAN alone the stored BIC, a VAT id the billing country. */
function checkAgainstStored(input: PayoutDetailsInput, current: StoredPayoutDetails | undefined): void {
  const errors: { path: string; message: string }[] = [];
  if (input.payoutBic !== undefined && input.payoutIban === undefined && current?.payoutIbanMasked) {
    const country = ibanCountry(current.payoutIbanMasked);
    if (!bicFitsIbanCountry(input.payoutBic, country)) errors.push({ path: 'body.payoutBic', message: `Must be a BIC of a bank in the stored IBAN's country (${country}), or sent with the new IBAN.` });
  }
  if (input.payoutIban !== undefined && input.payoutBic === undefined && current?.payoutBic) {
    const country = ibanCountry(normalizeIban(input.payoutIban));
    if (!bicFitsIbanCountry(current.payoutBic, country)) errors.push({ path: 'body.payoutIban', message: `The stored BIC is of another country than this IBAN (${country}): send the bank's BIC with it.` });
  }
  const country = input.billingCountry ?? current?.billingCountry ?? undefined;
  const vatId = input.billingVatId ?? current?.billingVatId ?? undefined;
  const vatTouched = input.billingVatId !== undefined || input.billingCountry !== undefined;
  if (vatTouched && vatId && country && isEuCountry(country) && isValidEuVatId(vatId, country) === false) {
    errors.push({ path: input.billingVatId !== undefined ? 'body.billingVatId' : 'body.billingCountry', message: `The VAT identification number must be valid for ${country}.` });
  }
  if (errors.length > 0) throw new ValidationError(errors);
}

async function mergePayoutDetails(
  deps: { keys: KeyRing; now?: () => Date },
  partnerId: string,
  current: StoredPayoutDetails | undefined,
  input: PayoutDetailsInput,
): Promise<StoredPayoutDetails> {
  let sealed = current?.sealed ?? null;
  let ibanMasked = current?.payoutIbanMasked ?? null;
  let holderMasked = current?.payoutAccountHolderMasked ?? null;
  if (input.payoutIban !== undefined || input.payoutAccountHolder !== undefined) {
    const kept = sealed && (input.payoutIban === undefined || input.payoutAccountHolder === undefined) ? await deps.keys.open(sealed, payoutContext(partnerId)) : {};
    const pair: Record<string, string> = { ...kept };
    if (input.payoutIban !== undefined) pair.payoutIban = normalizeIban(input.payoutIban);
    if (input.payoutAccountHolder !== undefined) pair.payoutAccountHolder = input.payoutAccountHolder;
    sealed = await deps.keys.seal(pair, payoutContext(partnerId));
    ibanMasked = pair.payoutIban ? maskIban(pair.payoutIban) : null;
    holderMasked = pair.payoutAccountHolder ? maskName(pair.payoutAccountHolder) : null;
  }
  const given = <K extends keyof PayoutDetailsInput>(k: K, stored: string | null | undefined) => (input[k] !== undefined ? input[k]! : (stored ?? null));
  return {
    sealed,
    payoutIbanMasked: ibanMasked,
    payoutAccountHolderMasked: holderMasked,
    payoutBic: input.payoutBic !== undefined ? input.payoutBic.replace(/\s+/g, '').toUpperCase() : (current?.payoutBic ?? null),
    payoutBankName: given('payoutBankName', current?.payoutBankName),
    billingCompany: given('billingCompany', current?.billingCompany),
    billingName: given('billingName', current?.billingName),
    billingStreet: given('billingStreet', current?.billingStreet),
    billingZip: given('billingZip', current?.billingZip),
    billingCity: given('billingCity', current?.billingCity),
    billingCountry: given('billingCountry', current?.billingCountry),
    billingVatId: input.billingVatId !== undefined ? input.billingVatId.replace(/[\s.-]+/g, '').toUpperCase() : (current?.billingVatId ?? null),
    updatedAt: nowOf(deps).toISOString(),
  };
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

export async function saveReferral(deps: PartnerPortalDeps & { read: ReadTogether }, callerId: string, refId: string) {
  // The route's account gate, folded into this read (`accountState` in its manifest entry).
  const { referral: saved, account } = await deps.read({ referral: referralRead(callerId), account: accountStateRead(callerId) });
  assertAccountOpen(account);
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
