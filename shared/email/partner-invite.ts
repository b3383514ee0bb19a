// The invitation to a new partner: who invited them, their commission, and the link that activates
// their partner account (single use, until it expires).
import type { Locale } from '../model/locale';
import { document, fields, html, formatLocalTime, type RenderedMail } from './kit';

export interface PartnerInviteData {
  name: string;
  commissionPercent: number;
  /** `<partner portal>/activate?invite=<token>`. */
  link: string;
  /** When the link stops working (ISO 8601). */
  expiresAt: string;
}

export function partnerInviteMail(locale: Locale, d: PartnerInviteData): RenderedMail {
  const t = {
    de: {
      subject: 'Ihre Einladung als Fonella-Partner',
      hello: `Guten Tag ${d.name},`,
      intro: 'Sie wurden als Partner von Fonella eingeladen. Mit dem folgenden Link legen Sie Ihr Partnerkonto an:',
      commission: 'Provision',
      expires: 'Gültig bis',
      once: 'Der Link funktioniert einmal. Wenn Sie diese Einladung nicht erwartet haben, können Sie die E-Mail ignorieren.',
      bye: 'Ihr Fonella-Team',
    },
    en: {
      subject: 'Your invitation to become a Fonella partner',
      hello: `Hello ${d.name},`,
      intro: 'You have been invited to become a Fonella partner. Use this link to set up your partner account:',
      commission: 'Commission',
      expires: 'Valid until',
      once: 'The link works once. If you did not expect this invitation, you can ignore this email.',
      bye: 'Your Fonella team',
    },
  }[locale];
  const f = fields([
    [t.commission, `${d.commissionPercent} %`],
    [t.expires, formatLocalTime(locale, d.expiresAt, 'Europe/Berlin')],
  ]);
  return {
    subject: t.subject,
    text: [t.hello, '', t.intro, d.link, '', f.text, '', t.once, '', t.bye].join('\n'),
    html: document(locale, t.subject, html`<p>${t.hello}</p><p>${t.intro}</p><p><a href="${d.link}">${d.link}</a></p>${f.html}<p>${t.once}</p><p>${t.bye}</p>`),
  };
}
