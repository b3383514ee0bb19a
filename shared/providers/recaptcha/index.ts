// The reCAPTCHA verifier wired to this function's config.
import { recaptchaVerifier } from './adapter';
import { recaptchaConfig } from './config';
import type { HumanCheck } from './port';

export type * from './port';
export { recaptchaConfig } from './config';

let verifier: HumanCheck | undefined;
export function configuredRecaptcha(): HumanCheck {
  if (!verifier) {
    const c = recaptchaConfig();
    verifier = recaptchaVerifier({ baseUrl: c.baseUrl, secret: c.secret, minScore: c.minScore });
  }
  return verifier;
}
