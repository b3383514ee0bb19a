// The reCAPTCHA v3 action each public form's token must carry, by the route that takes it. The site
// passes the same name to `grecaptcha.execute(siteKey, { action })`; a token minted for another form
// is refused (403 `recaptcha-action-mismatch`). Kept apart, with no imports, so that the schemas,
// the use cases and the tests read one list.
export const RECAPTCHA_ACTIONS = {
  submitContact: 'contact',
  submitSupportTicket: 'support_ticket',
  submitCallbackRequest: 'callback_request',
} as const;

export type RecaptchaAction = (typeof RECAPTCHA_ACTIONS)[keyof typeof RECAPTCHA_ACTIONS];
