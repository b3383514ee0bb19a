// Schemas of the partner portal (/v1/partner/*) and of a customer's referral (POST /v1/me/referral).
// Bank details are accepted in full and answered masked: the IBAN as `DE89 **** **** **** **30 00`,
// the account holder by initials.
import {
  bicFitsIbanCountry,
  isCountryCode,
  isEuCountry,
  isValidBic,
  isValidEuVatId,
  isValidIban,
  normalizeIban,
} from '../model/bank-details';
import * as z from '../zod';
import { isoDateTime, line } from './common';

export const ActivationRequest = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    inviteToken: z
      .string()
      .check(z.minLength(16), z.maxLength(128), z.regex(/^[A-Za-z0-9_-]+$/, 'Must be the token of the invite link.'))
      .register(z.globalRegistry, {
        description: 'The `invite` parameter of the link in the invite email.',
        examples: ['q5Jx0vR2mK8wT3yZ7bN1cD4fG6hJ9kL2pS5uV8xA0eC'],
        writeOnly: true,
      }),
  })
  .register(z.globalRegistry, { id: 'PartnerActivationRequest' }));

export const PartnerActivated = /* @__PURE__ */ z.defineReply(() => z
  .object({ partnerId: z.string(), status: z.literal('active') })
  .register(z.globalRegistry, { id: 'PartnerActivated' }));

const iban = /* @__PURE__ */ z.defineSchema(() => z
  .string()
  .check(
    z.maxLength(42),
    z.regex(/^[A-Za-z]{2}[0-9]{2}[A-Za-z0-9 ]{11,38}$/, 'Must be an IBAN: country, check digits and account, spaces allowed.'),
    z.refine((s) => isValidIban(s), { message: 'Must be a valid IBAN (country, length and check digits).' }),
  )
  .register(z.globalRegistry, { description: 'IBAN, with or without spaces.', examples: ['DE89 3704 0044 0532 0130 00'], writeOnly: true }));

const bic = /* @__PURE__ */ z.defineSchema(() => z
  .string()
  .check(
    z.maxLength(11),
    z.regex(/^[A-Za-z]{6}[A-Za-z0-9]{2}([A-Za-z0-9]{3})?$/, 'Must be a BIC: 8 or 11 letters and digits.'),
    z.refine((s) => isValidBic(s), { message: 'Must be a valid BIC (8 or 11 characters).' }),
  )
  .register(z.globalRegistry, { description: 'BIC (SWIFT code) of the bank, 8 or 11 characters.', examples: ['COBADEFFXXX'] }));

const country = /* @__PURE__ */ z.defineSchema(() => z
  .string()
  .check(z.length(2), z.regex(/^[A-Z]{2}$/, 'Must be two capital letters.'), z.refine((s) => isCountryCode(s), { message: 'Must be an ISO 3166-1 alpha-2 country code in capitals.' }))
  .register(z.globalRegistry, { description: 'ISO 3166-1 alpha-2 country code.', examples: ['DE'] }));

export const PayoutDetailsRequest = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    payoutIban: z.optional(iban),
    payoutBic: z.optional(bic),
    payoutBankName: z.optional(line(100)),
    payoutAccountHolder: z.optional(line(100).register(z.globalRegistry, { description: 'The name the account is held in.', writeOnly: true })),
    billingCompany: z.optional(line(150)),
    billingName: z.optional(line(100)),
    billingStreet: z.optional(line(150)),
    billingZip: z.optional(z.string().check(z.minLength(2), z.maxLength(12), z.regex(/^[A-Za-z0-9][A-Za-z0-9 -]*$/, 'Must be a postal code.'))),
    billingCity: z.optional(line(100)),
    billingCountry: z.optional(country),
    billingVatId: z.optional(
      z.string().check(z.minLength(4), z.maxLength(20), z.regex(/^[A-Za-z0-9 .-]+$/, 'Must be a VAT identification number.')).register(z.globalRegistry, {
        description: "VAT identification number; for an EU country it must be valid for `billingCountry` (with or without the country's prefix).",
        examples: ['DE136695976'],
      }),
    ),
  })
  .check(
    z.refine((v) => Object.keys(v).length > 0, { message: 'Name at least one field.' }),
    z.superRefine((v, ctx) => {
      // Both in the body: checked together here. One of them alone is checked against what is stored (savePayoutDetails).
      if (v.payoutIban !== undefined && v.payoutBic !== undefined && isValidIban(v.payoutIban) && isValidBic(v.payoutBic)) {
        const country = normalizeIban(v.payoutIban).slice(0, 2);
        if (!bicFitsIbanCountry(v.payoutBic, country)) {
          ctx.addIssue({ code: 'custom', path: ['payoutBic'], message: `Must be a BIC of a bank in the IBAN's country (${country}).`, input: v.payoutBic });
        }
      }
      if (v.billingVatId !== undefined && v.billingCountry !== undefined && isEuCountry(v.billingCountry) && isValidEuVatId(v.billingVatId, v.billingCountry) === false) {
        ctx.addIssue({ code: 'custom', path: ['billingVatId'], message: `Must be a valid VAT identification number of ${v.billingCountry}.`, input: v.billingVatId });
      }
    }),
  )
  .register(z.globalRegistry, {
    id: 'PayoutDetailsRequest',
    description:
      "The partner's bank account for commission payouts and the billing address. Every field is optional (at least one): the fields given replace the stored ones, the others are kept. An IBAN given alone is checked against the stored BIC's country and a BIC alone against the stored IBAN's, as both together are; a VAT id is checked against the billing country, given or stored.",
  }));

export const PayoutDetails = /* @__PURE__ */ z.defineReply(() => z
  .object({
    payoutIbanMasked: z.nullable(z.string().register(z.globalRegistry, { examples: ['DE89 **** **** **** **30 00'] })),
    payoutBic: z.nullable(z.string()),
    payoutBankName: z.nullable(z.string()),
    payoutAccountHolderMasked: z.nullable(z.string().register(z.globalRegistry, { description: 'The initials of the account holder.', examples: ['E***** M*********'] })),
    billingCompany: z.nullable(z.string()),
    billingName: z.nullable(z.string()),
    billingStreet: z.nullable(z.string()),
    billingZip: z.nullable(z.string()),
    billingCity: z.nullable(z.string()),
    billingCountry: z.nullable(z.string()),
    billingVatId: z.nullable(z.string()),
    updatedAt: isoDateTime,
  })
  .register(z.globalRegistry, {
    id: 'PayoutDetails',
    description: 'Bank details as stored: the IBAN and account holder masked, never in full; null where nothing was given yet.',
  }));

const money = /* @__PURE__ */ z.defineReply(() => z.object({ amountCents: z.int(), currency: z.string() }));

export const PartnerProfile = /* @__PURE__ */ z.defineReply(() => z
  .object({
    partnerId: z.string(),
    name: z.string(),
    email: z.string(),
    status: z.enum(['active', 'disabled']),
    commissionPercent: z.number(),
    publicCode: z.string(),
    referralLink: z.url(),
    activatedAt: z.nullable(isoDateTime),
    payoutDetails: z.nullable(PayoutDetails),
    referredCustomers: z.object({
      count: z.int().check(z.nonnegative()),
      items: z.array(
        z.object({
          name: z.nullable(z.string()),
          planId: z.nullable(z.string()),
          since: isoDateTime,
        }),
      ),
    }),
    commission: z.object({
      thisMonth: money,
      lastMonth: money,
    }),
  })
  .register(z.globalRegistry, {
    id: 'PartnerProfile',
    description:
      "The partner's profile, public code and referral link, referred customers (name, plan and since: nothing more) and the commission for this and last month.",
  }));

export const ReferralRequest = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    refId: z
      .string()
      .check(z.minLength(4), z.maxLength(128), z.regex(/^[A-Za-z0-9|_.@-]+$/, "Must be a partner's referral code or id."))
      .register(z.globalRegistry, { description: "The partner's public code (the link's `ref`), or a legacy partner user id.", examples: ['K7M2Q9XP'] }),
  })
  .register(z.globalRegistry, { id: 'ReferralRequest' }));

export const Referral = /* @__PURE__ */ z.defineReply(() => z
  .object({ partnerId: z.string(), referredAt: isoDateTime })
  .register(z.globalRegistry, { id: 'Referral', description: 'The partner the caller was referred by, saved once.' }));
