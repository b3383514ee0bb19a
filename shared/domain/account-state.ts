// An account's state as its teardown record says it: open (no record), being deleted (`running`) or
// deleted (`done`). The stack's gate refuses a caller whose account is not open; a use case that read
// the record with the caller's partition checks it the same way. A write into a partition whose
// account closed after the gate let the request in is refused by the write's own condition
// (AccountClosedError); `inOpenAccount` answers that for the caller's own account as the gate would.
import { AccountBeingDeletedError, AccountClosedError, AccountDeletedError } from '../errors';

export type AccountState = 'running' | 'done' | undefined;

/** How the stack learns a caller's account state (shared/app/ composes it from the teardown records). */
export type AccountStateReader = (userId: string) => Promise<AccountState>;

/** Refuses a caller whose account is being deleted (409) or was deleted (410). */
export function assertAccountOpen(state: AccountState): void {
  if (state === 'running') throw new AccountBeingDeletedError();
  if (state === 'done') throw new AccountDeletedError();
}

/**
 * Runs a write that holds only while the accounts it writes into are open: refused for the caller's
 * own account (its teardown began after the gate), it answers as the gate would (409
 * account-being-deleted); refused for another user's, 409 user-account-deleted.
 */
export async function inOpenAccount<T>(callerId: string, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof AccountClosedError && err.userId === callerId) throw new AccountBeingDeletedError();
    throw err;
  }
}
