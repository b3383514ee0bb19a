// Support ticket numbers: `FON-` and six characters a person can read out and type without
// confusion (no 0/O, 1/I/L, no U), e.g. FON-7K3M2Q. 30^6 (about 729 million) numbers: drawn at
// random, and the put is conditional on the number being free, so a clash is retried, never stored.
// With an Idempotency-Key the candidates come from the key instead, so a retry of a request whose
// first attempt was stored finds that ticket (shared/domain/support-ticket.ts).
import { createHash, randomInt } from 'node:crypto';

export const TICKET_NUMBER_PREFIX = 'FON-';
export const TICKET_NUMBER_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
export const TICKET_NUMBER_LENGTH = 6;
export const TICKET_NUMBER_PATTERN = new RegExp(`^${TICKET_NUMBER_PREFIX}[${TICKET_NUMBER_ALPHABET}]{${TICKET_NUMBER_LENGTH}}$`);

/** A ticket number drawn at random (crypto-strength, uniform over the alphabet). */
export function randomTicketNumber(): string {
  let out = TICKET_NUMBER_PREFIX;
  for (let i = 0; i < TICKET_NUMBER_LENGTH; i++) out += TICKET_NUMBER_ALPHABET[randomInt(TICKET_NUMBER_ALPHABET.length)];
  return out;
}

/** The `attempt`-th candidate number for an Idempotency-Key: the same key gives the same sequence. */
export function ticketNumberFromKey(key: string, attempt: number): string {
  const digest = createHash('sha256').update(`support-ticket\u0000${attempt}\u0000${key}`).digest();
  let out = TICKET_NUMBER_PREFIX;
  // Four bytes per character: the bias of the modulo is below one in a hundred million.
  for (let i = 0; i < TICKET_NUMBER_LENGTH; i++) out += TICKET_NUMBER_ALPHABET[digest.readUInt32BE(i * 4) % TICKET_NUMBER_ALPHABET.length];
  return out;
}
