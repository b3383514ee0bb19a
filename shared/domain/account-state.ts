// An account's state as its teardown record says it: open (no record), being deleted (`running`) or
// deleted (`done`). The stack's gate refuses a caller whose account is not open; a use case that read
// the record with the caller's partition checks it the same way.
import { AccountBeingDeletedError, AccountDeletedError } from '../errors';

export type AccountState = 'running' | 'done' | undefined;

/** How the stack learns a caller's account state (shared/app/ composes it from the teardown records). */
export type AccountStateReader = (userId: string) => Promise<AccountState>;

/** Refuses a caller whose account is being deleted (409) or was deleted (410). */
export function assertAccountOpen(state: AccountState): void {
  if (state === 'running') throw new AccountBeingDeletedError();
  if (state === 'done') throw new AccountDeletedError();
}
