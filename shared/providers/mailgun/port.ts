// Sending email, in Fonella's terms.

export interface OutgoingMail {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  /** Defaults to the configured sender. */
  from?: string;
  replyTo?: string;
  /** Mailgun tags, for filtering in its logs (e.g. "contact"). */
  tags?: string[];
  /** Custom variables attached to the message (Mailgun `v:` fields). */
  variables?: Record<string, string>;
}

export interface Mailer {
  /** Hands the message to the provider; resolves with the provider's message id. */
  send(mail: OutgoingMail): Promise<{ id: string }>;
}
