// The one Powertools Logger of a function: structured JSON with the service name, the Lambda request
// id, the API request id and the cold-start flag. The level comes from POWERTOOLS_LOG_LEVEL.
// Every line passes a redaction step: values under sensitive keys and values that look like
// credentials (JWTs, bearer headers, API key tokens, IBANs, webhook signing secrets) never reach the log, whoever logs them.
import { Logger } from '@aws-lambda-powertools/logger';

/** Keys whose values are never logged, at any depth. */
const SENSITIVE_KEY =
  /^(authorization|cookie|set-cookie|x-vapi-secret|stripe-signature|.*(password|passwd|secret|token|api[-_]?key|credential|signature|iban|bic|cvc|card[-_]?number).*)$/i;
const JWT = /\beyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[\w.~+/=-]{8,}/gi;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;
/** A Standard Webhooks signing secret (ours for webhook endpoints): `whsec_` and base64. */
const WEBHOOK_SECRET = /\bwhsec_[A-Za-z0-9+/=]{16,}/g;
/** A developer API key's token past its prefix (`fon_live_` and 7 characters may be logged: what listings show). */
const API_KEY_TOKEN = /\b(fon_live_[0-9A-Za-z]{7})[0-9A-Za-z]+/g;

export const REDACTED = '[redacted]';

export function redact(key: string, value: unknown): unknown {
  if (key && SENSITIVE_KEY.test(key) && value !== null && typeof value !== 'object') return REDACTED;
  if (typeof value === 'string') {
    return value.replace(JWT, REDACTED).replace(API_KEY_TOKEN, `$1${REDACTED}`).replace(BEARER, `$1 ${REDACTED}`).replace(IBAN, REDACTED).replace(WEBHOOK_SECRET, REDACTED);
  }
  return value;
}

export const logger = new Logger({ serviceName: process.env.SERVICE_NAME ?? 'fonella-api', jsonReplacerFn: redact });
