// The partner portal: a signed-in user linked to an active partner record. The link is checked in
// the function (a lookup on the caller's id, shared/app/partner-route.ts), not by a token claim;
// activation, which makes the link, needs only a signed-in user.
// Entries follow the rules in ./index.ts.
import type { RouteDef } from '../../shared/http/route-def';
import { ActivationRequest, PartnerActivated, PartnerProfile, PayoutDetails, PayoutDetailsRequest } from '../../shared/schemas/partner';

export const activatePartner = {
  name: 'activatePartner',
  method: 'POST',
  path: '/v1/partner/activate',
  handler: 'functions/partner/activate-partner.ts',
  access: 'user',
  summary: 'Activate a partner account with its invite',
  description:
    "After signing up with the invite link's address, the partner's user activates the partner account with the link's token: the caller becomes the partner's user and the partner active. An invite works once, for 14 days; the same user activating again gets the same answer.",
  tags: ['partner'],
  request: { body: ActivationRequest },
  response: { status: 200, body: PartnerActivated, description: 'The partner account is active and linked to the caller.' },
  errors: [
    { status: 400, slugs: ['invite-invalid'], description: '`invite-invalid`: no outstanding invite has this token (mistyped, or replaced by a newer invite).' },
    { status: 409, slugs: ['partner-already-linked'], description: '`partner-already-linked`: the caller is linked to a partner account already.' },
    {
      status: 410,
      slugs: ['invite-used', 'invite-expired', 'invite-revoked'],
      description:
        '`invite-used`: another user activated with this invite. `invite-expired`: the invite is older than 14 days; the admin can send a new one. `invite-revoked`: the partner account was disabled before it was activated.',
    },
  ],
  uses: { table: 'write' },
} satisfies RouteDef;

export const getPartner = {
  name: 'getPartner',
  method: 'GET',
  path: '/v1/partner',
  handler: 'functions/partner/get-partner.ts',
  access: 'partner',
  summary: "The partner's profile, customers and commission",
  description:
    "The caller's partner account: profile, public code and referral link, payout details (masked), the customers it referred (name, plan and since, nothing more) and its commission for this and last month, from the referred customers' subscriptions at the plans' monthly prices.",
  tags: ['partner'],
  response: { status: 200, body: PartnerProfile, description: "The caller's partner account." },
  accountState: 'in-partition-read',
  uses: { table: 'read' },
} satisfies RouteDef;

export const savePayoutDetails = {
  name: 'savePayoutDetails',
  method: 'PUT',
  path: '/v1/partner/payout-details',
  handler: 'functions/partner/save-payout-details.ts',
  access: 'partner',
  summary: 'Store the payout account and billing address',
  description:
    "Saves the partner's bank and billing details. Every field is optional (at least one): the fields given replace the stored ones, the others are kept, so a billing address can be sent alone. IBAN and BIC are checked (country, length, check digits; the BIC's country against the IBAN's, also when one of them comes alone: then against the stored one), `billingCountry` is an ISO 3166-1 code and a VAT id of an EU country must be valid for the billing country, given or stored. IBAN and account holder are stored encrypted (a KMS data key per write) and answered masked only.",
  tags: ['partner'],
  request: { body: PayoutDetailsRequest },
  response: { status: 200, body: PayoutDetails, description: 'The details as stored, the IBAN and the account holder masked; null where nothing was given yet.' },
  errors: [
    {
      status: 409,
      slugs: ['payout-details-changed'],
      description: '`payout-details-changed`: other saves of the same details kept coming between this one\'s read and write; nothing was saved. Send it again.',
    },
  ],
  accountState: 'in-partition-read',
  uses: { table: 'write', payoutKey: 'encrypt' },
} satisfies RouteDef;
