// API key tokens: made here, stored nowhere. A token is `fon_live_` and 32 random bytes in base62
// (43 characters: 256 bits, copyable with a double click, no `-` or `_` in the random part); the table
// keeps only its SHA-256, which is also the key of the item a request's token is looked up by (one
// GetItem).
//
// Why a plain SHA-256, with no salt, pepper or slow hash: those defend guessable secrets (passwords)
// against a stolen table, where an attacker hashes likely candidates. A 256-bit random token has no
// likely candidates: finding one whose hash is in the table takes about 2^256 tries at any hash speed.
// A slow hash would cost every request its CPU time and a salt would rule out the lookup by hash; a
// pepper (an HMAC key) would add a secret to keep and rotate and protect nothing more.
import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_PREFIX_LENGTH, API_KEY_TOKEN_BODY_LENGTH, API_KEY_TOKEN_PREFIX } from '../model/api-keys';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `bytes` as a base62 number, left-padded with zeros to `length` characters. */
function base62(bytes: Buffer, length: number): string {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(length, '0');
}

/** The token's hash as the table keeps it: SHA-256, base64url (43 characters). */
export const hashApiKeyToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url');

/** The part of a token a listing shows. */
export const prefixOf = (token: string): string => token.slice(0, API_KEY_PREFIX_LENGTH);

/** Whether `token` has the shape of a key's token (a bearer token of another shape is a JWT or nothing). */
export const isApiKeyToken = (token: string): boolean => token.startsWith(API_KEY_TOKEN_PREFIX);

const WELL_FORMED = new RegExp(`^${API_KEY_TOKEN_PREFIX}[0-9A-Za-z]{${API_KEY_TOKEN_BODY_LENGTH}}$`);
/** Whether `token` could be one we issued (anything else is refused without a table read). */
export const isWellFormedApiKeyToken = (token: string): boolean => WELL_FORMED.test(token);

/** A new key's token, with what the table keeps of it: the hash and the prefix. */
export function newApiKeyToken(): { token: string; hash: string; prefix: string } {
  const token = `${API_KEY_TOKEN_PREFIX}${base62(randomBytes(32), API_KEY_TOKEN_BODY_LENGTH)}`;
  return { token, hash: hashApiKeyToken(token), prefix: prefixOf(token) };
}
