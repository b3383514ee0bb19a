// The gate of every authenticated route: a caller whose account is being deleted gets 409, one whose
// account was deleted 410, before anything else runs, so no route writes their rows again while a
// token issued before the deletion is still valid. The state is the caller's teardown record, read
// by the reader the route was composed with (shared/app/route.ts: one strongly consistent GetItem);
// a route whose handler reads the caller's rows anyway (`accountState: 'in-partition-read'` in its
// manifest entry) checks the record found in its own first read instead (`assertAccountOpen`, first
// thing after it: a strongly consistent Query of the partition, or a BatchGetItem with the record's
// key among the route's own), and saves the round trip. An authenticated route given no reader is
// refused when its handler is built, at cold start.
import type middy from '@middy/core';
import { assertAccountOpen, type AccountStateReader } from '../../domain/account-state';
import { AccountBeingDeletedError, AccountDeletedError } from '../../errors';
import { isAuthenticated, type ProblemAnswer, type RouteDef } from '../route-def';
import { stateOf, type HttpEvent } from '../state';

/**
 * What the gate answers (lib/openapi.ts documents it) on every authenticated route, whether the stack
 * reads the state or the handler checks the record it read.
 */
export function answers(def: Pick<RouteDef, 'access'>): ProblemAnswer[] {
  if (!isAuthenticated(def)) return [];
  const being = new AccountBeingDeletedError().slug;
  const deleted = new AccountDeletedError().slug;
  return [
    { status: 409, title: 'Conflict', slugs: [being], description: `\`${being}\`: the caller's account is being deleted: nothing is accepted meanwhile.` },
    { status: 410, title: 'Gone', slugs: [deleted], description: `\`${deleted}\`: the caller's account was deleted (a token issued before stays refused until it expires).` },
  ];
}

/** Whether the stack reads the caller's account state for this route itself. */
export const gatedByStack = (def: Pick<RouteDef, 'access' | 'accountState'>) => isAuthenticated(def) && def.accountState !== 'in-partition-read';

export function accountGate(def: RouteDef, read: AccountStateReader | undefined): middy.MiddlewareObj<HttpEvent> {
  if (gatedByStack(def) && !read) {
    throw new Error(`route ${def.name} is authenticated, but was given no account state reader: its handler takes its route from shared/app/`);
  }
  return {
    before: async (request) => {
      const caller = stateOf(request).caller;
      if (!gatedByStack(def) || !caller || !read) return;
      assertAccountOpen(await read(caller.id));
    },
  };
}
