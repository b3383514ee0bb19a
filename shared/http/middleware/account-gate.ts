// The gate of every authenticated route: a caller whose account is being deleted gets 409, one whose
// account was deleted 410, before anything else runs, so no route writes their rows again while a
// token issued before the deletion is still valid. The state is the caller's teardown record
// (shared/db/teardowns.ts), read with one strongly consistent GetItem; a route whose handler reads the
// caller's whole partition anyway (`accountState: 'in-partition-query'` in its manifest entry) checks
// the record found there instead (`assertAccountOpen`), and saves the round trip.
//
// The reader is provided by the table client's module (shared/db/client.ts), which every function
// that touches the table loads; the stack refuses at cold start an authenticated route without it.
import type middy from '@middy/core';
import { AccountBeingDeletedError, AccountDeletedError } from '../../errors';
import { needsAuthorizer, type RouteDef } from '../route-def';
import { stateOf, type HttpEvent } from '../state';

export type AccountState = 'running' | 'done' | undefined;

let reader: ((userId: string) => Promise<AccountState>) | undefined;

export function provideAccountState(read: (userId: string) => Promise<AccountState>): void {
  reader = read;
}

/** Refuses a caller whose account is being deleted (409) or was deleted (410). */
export function assertAccountOpen(state: AccountState): void {
  if (state === 'running') throw new AccountBeingDeletedError();
  if (state === 'done') throw new AccountDeletedError();
}

/** Whether the stack reads the caller's account state for this route itself. */
export const gatedByStack = (def: Pick<RouteDef, 'access' | 'accountState'>) => needsAuthorizer(def) && def.accountState !== 'in-partition-query';

export function accountGate(def: RouteDef): middy.MiddlewareObj<HttpEvent> {
  return {
    before: async (request) => {
      const caller = stateOf(request).caller;
      if (!gatedByStack(def) || !caller) return;
      if (!reader) throw new Error(`route ${def.name}: no account state reader (the table client provides it)`);
      assertAccountOpen(await reader(caller.id));
    },
  };
}
