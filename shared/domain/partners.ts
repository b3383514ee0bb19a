// Partner management from the admin dashboard, and the invite email.
//
// invitePartner — POST /v1/admin/partners.
//   input: name, email, commission percent (and the invite's language), the admin; output: the partner.
//   1. draw a public referral code (eight characters of the ticket alphabet) and a partner id;
//   2. store the partner (`invited`, invite expiring after INVITE_TTL_DAYS) and reserve the code in one
//      transaction; a code another partner holds is drawn again.
//   The invite token is not made here: the partner's INSERT reaches `sendPartnerInvite`, which makes it.
//
// sendPartnerInvite — the worker, from the partner row's INSERT on the table's stream.
//   1. read the row (strongly consistent); nothing to do if gone, sent already, or no longer invited;
//   2. draw a random token and store only its hash on the row (conditional: not sent yet);
//   3. email `<partner portal>/activate?invite=<token>`, then mark the row with Mailgun's id
//      (conditional on that hash). A failed send throws and the stream retries with a new token, which
//      replaces the unsent one. The window that remains (Mailgun accepted, the mark not written) sends
//      a second email whose token replaces the first one's: only the newest link works.
//
// listPartners, updatePartner — GET and PATCH; an unknown partner is 404.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { hashInviteToken, type PartnerRow, type PartnerStatus, type PartnersRepository } from '../db/partners';
import { partnerInviteMail } from '../email/partner-invite';
import { localeOr, type Locale } from '../model/locale';
import { NotFoundError } from '../errors';
import { logger } from '../observability/logger';
import type { Mailer } from '../providers/mailgun/port';
import { TICKET_NUMBER_ALPHABET } from '../model/ticket-number';

/** How long an invite link works. */
export const INVITE_TTL_DAYS = 14;
export const PUBLIC_CODE_LENGTH = 8;
const MAX_CODE_DRAWS = 5;

export interface PartnerView {
  partnerId: string;
  name: string;
  email: string;
  commissionPercent: number;
  status: PartnerStatus;
  publicCode: string;
  inviteExpiresAt: string | null;
  inviteSentAt: string | null;
  activated: boolean;
  createdAt: string;
  updatedAt: string;
}

export function partnerView(row: PartnerRow): PartnerView {
  return {
    partnerId: row.partnerId,
    name: row.name,
    email: row.email,
    commissionPercent: row.commissionPercent,
    status: row.status,
    publicCode: row.publicCode,
    inviteExpiresAt: row.status === 'invited' ? row.inviteExpiresAt : null,
    inviteSentAt: row.inviteSentAt ?? null,
    activated: row.auth0UserId !== undefined,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function randomPublicCode(): string {
  let out = '';
  for (let i = 0; i < PUBLIC_CODE_LENGTH; i++) out += TICKET_NUMBER_ALPHABET[randomInt(TICKET_NUMBER_ALPHABET.length)];
  return out;
}

export interface PartnerDeps {
  partners: PartnersRepository;
  now?: () => Date;
}

export async function invitePartner(
  deps: PartnerDeps,
  input: { name: string; email: string; commissionPercent: number; locale?: Locale },
  adminId: string,
): Promise<PartnerView> {
  const now = deps.now?.() ?? new Date();
  for (let draw = 0; draw < MAX_CODE_DRAWS; draw++) {
    const row: PartnerRow = {
      partnerId: randomUUID(),
      name: input.name,
      email: input.email,
      commissionPercent: input.commissionPercent,
      status: 'invited',
      publicCode: randomPublicCode(),
      inviteExpiresAt: new Date(now.getTime() + INVITE_TTL_DAYS * 86_400_000).toISOString(),
      invitedBy: adminId,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      ...(input.locale ? { locale: input.locale } : {}),
    };
    if ((await deps.partners.create(row)) === 'created') return partnerView(row);
  }
  throw new Error(`no free public code after ${MAX_CODE_DRAWS} draws`);
}

export async function listPartners(deps: PartnerDeps, query: { limit: number; cursor?: string }) {
  const page = await deps.partners.list(query);
  return { items: page.items.map(partnerView), nextCursor: page.nextCursor };
}

export async function updatePartner(
  deps: PartnerDeps,
  partnerId: string,
  change: { commissionPercent?: number; status?: 'active' | 'disabled' },
): Promise<PartnerView> {
  const row = await deps.partners.update(partnerId, { ...change, updatedAt: (deps.now?.() ?? new Date()).toISOString() });
  if (!row) throw new NotFoundError('No partner has this id.');
  return partnerView(row);
}

export interface PartnerInviteDeps {
  partners: Pick<PartnersRepository, 'get' | 'setInviteToken' | 'markInviteSent'>;
  mailer: Mailer;
  /** The partner portal's base URL, without a trailing slash. */
  partnerPortalUrl: string;
  now?: () => Date;
}

export type PartnerInviteOutcome = 'sent' | 'already-sent' | 'not-invited' | 'gone';

export async function sendPartnerInvite(deps: PartnerInviteDeps, partnerId: string): Promise<PartnerInviteOutcome> {
  const row = await deps.partners.get(partnerId);
  if (!row) return 'gone';
  if (row.inviteMailId) return 'already-sent';
  if (row.status !== 'invited') return 'not-invited';

  const token = randomBytes(32).toString('base64url');
  const hash = hashInviteToken(token);
  if (!(await deps.partners.setInviteToken(partnerId, hash))) return 'already-sent';

  const locale = localeOr(row.locale);
  const link = `${deps.partnerPortalUrl}/activate?invite=${encodeURIComponent(token)}`;
  const { id } = await deps.mailer.send({
    ...partnerInviteMail(locale, { name: row.name, commissionPercent: row.commissionPercent, link, expiresAt: row.inviteExpiresAt }),
    to: row.email,
    tags: ['partner-invite'],
    variables: { mail: 'partner-invite', partnerId },
  });
  const marked = await deps.partners.markInviteSent(partnerId, hash, id, (deps.now?.() ?? new Date()).toISOString());
  if (!marked) logger.warn('partner invite sent, but another delivery had replaced its token first', { partnerId, mailId: id });
  return 'sent';
}
