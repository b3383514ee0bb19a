// The reCAPTCHA verifier wired to this function's config (secret, threshold, whether a token may be missing).
import { recaptchaVerifier } from './adapter';
import { recaptchaConfig } from './config';
import type { HumanCheck } from './port';

export type * from './port';
export { recaptchaConfig } from './config';

let verifier: HumanCheck | undefined;
export function configuredRecaptcha(): HumanCheck {
  if (!verifier) verifier = recaptchaVerifier(recaptchaConfig());
  return verifier;
}
