// loadProfile — what GET /v1/me shows: the caller's settings (created from the token's claims on the
// first call: the address verified only when the token says Auth0 verified it), subscription, assistant with its number, integrations, referral and device count: one
// Query over the user's partition, and a conditional put on the very first call.
import type { Plan } from '../config/plans';
import type { CallRetention } from '../config/retention';
import type { SettingsRow, UsersRepository } from '../db/users';
import type { Caller } from '../model/caller';
import { assertAccountOpen } from './account-state';
import { assistantView, planIncludesNumber } from './assistant-view';
import { hotlineMembership } from './hotline-access';
import { DEFAULT_TIMEZONE, settingsView } from './settings';
import { subscriptionView } from './subscription-view';

export async function loadProfile(
  deps: { users: UsersRepository; plans: Plan[]; callRetention: Pick<CallRetention, 'defaultDays'>; now?: () => Date },
  caller: Caller,
) {
  // The route's account gate, folded into this Query (`accountState` in its manifest entry): strongly
  // consistent, so a deletion just accepted is seen and no settings row is created for it.
  const rows = await deps.users.loadUser(caller.id, { consistent: true });
  assertAccountOpen(rows.teardown);
  let settings = rows.settings;
  if (!settings) {
    const now = (deps.now?.() ?? new Date()).toISOString();
    const fresh: SettingsRow = {
      userId: caller.id,
      email: caller.email ?? null,
      emailVerified: Boolean(caller.email) && caller.emailVerified,
      name: caller.name ?? null,
      timezone: DEFAULT_TIMEZONE,
      locale: 'de',
      role: 'owner',
      createdAt: now,
      updatedAt: now,
    };
    settings = (await deps.users.createSettingsIfMissing(fresh)).settings;
  }
  return {
    settings: settingsView(settings, deps.callRetention),
    subscription: subscriptionView(rows.subscription),
    assistant: assistantView(rows.assistant, rows.poolLine, planIncludesNumber(deps.plans, rows)),
    integrations: rows.integrations,
    referral: rows.referral ?? null,
    devicesCount: rows.devicesCount,
    hotlines: hotlineMembership(rows.hotlineRows),
    isAdmin: caller.isAdmin,
  };
}
