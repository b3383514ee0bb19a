// What the portal sees of the caller's assistant and its number (PUT /v1/me/assistant and GET /v1/me),
// derived from the rows alone: `pending` is not stored, it is "the plan includes a number and none
// is assigned yet".
import type { AssistantLanguage } from '../config/assistant';
import type { Plan } from '../config/plans';
import type { AssistantRow } from '../db/assistants';
import type { PoolLineRow } from '../db/pool';
import { subscriptionInForce } from '../db/subscriptions';
import type { UserRows } from '../db/users';

/** The number the assistant answers: bound in Vapi (`active`), being bound (`connecting`), or waiting for a free one. */
export type AssistantPhoneNumber = { status: 'active' | 'connecting'; number: string } | { status: 'pending' } | null;

export interface AssistantView {
  assistantId: string;
  greeting: string;
  language: AssistantLanguage;
  phoneNumber: AssistantPhoneNumber;
  createdAt: string;
  updatedAt: string;
}

export function planIncludesNumber(plans: Plan[], rows: Pick<UserRows, 'subscription'>): boolean {
  if (!subscriptionInForce(rows.subscription)) return false;
  return plans.find((p) => p.id === rows.subscription!.planId)?.includesPoolNumber ?? false;
}

/** The assistant as the portal shows it; undefined while its creation is only claimed. */
export function assistantView(row: AssistantRow | undefined, poolLine: PoolLineRow | undefined, includesNumber: boolean): AssistantView | null {
  if (row?.status !== 'ready' || !row.assistantId) return null;
  const phoneNumber: AssistantPhoneNumber = poolLine
    ? { status: poolLine.vapiPhoneNumberId ? 'active' : 'connecting', number: poolLine.number }
    : includesNumber
      ? { status: 'pending' }
      : null;
  return {
    assistantId: row.assistantId,
    greeting: row.greeting!,
    language: row.language!,
    phoneNumber,
    createdAt: row.createdAt!,
    updatedAt: row.updatedAt!,
  };
}
