// What a user's partition holds, read as types rather than sort keys: which provider resources its
// rows name (the teardown's record lists them and its steps remove them), and which rows the table
// step deletes: every row but the teardown record, and the rows elsewhere that name the user (the API
// keys' lookup items first, apart, so that no key outlives the row that names it). Row kinds added to
// the partition later are deleted without being named here.
import { apiKeyLookupKeys } from './api-keys';
import { ASSISTANT_SK } from './assistants';
import { CALL_KEYS, callRefKey } from './calls';
import { INTEGRATION_SK_PREFIX } from './keys';
import { hotlineRowsNamingUser } from './organizations';
import { PARTNER_LINK_SK } from './partner-accounts';
import { SUBSCRIPTION_SK } from './subscriptions';
import { TEARDOWN_SK, type PartitionRow } from './teardowns';
import { SETTINGS_SK } from './users';

/** A phone line's row: its kind (`pool`, `sipgate`, `external`) and the provider ids it holds. */
export interface LineResources {
  kind: string;
  number?: string;
  vapiPhoneNumberId?: string;
  vapiCredentialId?: string;
  sipgateDeviceId?: string;
}

export interface PartitionInventory {
  /** How many rows the partition holds, the teardown record included. */
  rowCount: number;
  settings?: { email?: string; locale?: string };
  subscription?: { stripeSubscriptionId?: string; status?: string };
  assistantId?: string;
  lines: LineResources[];
  /** The Vapi calls the call rows name. */
  callIds: string[];
  /** The partner accounts the user activated (PARTNER_LINK). */
  partnerIds: string[];
  /** What the table step deletes. */
  deletionKeys: { pk: string; sk: string }[];
  /**
   * The lookup items of the account's API keys (`APIKEY#<hash>`), which the table step deletes before
   * `deletionKeys`: a step that fails between the two leaves the key rows that name them for its retry,
   * never a key that still works with nothing left to find it by.
   */
  apiKeyLookups: { pk: string; sk: string }[];
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function inventoryOf(rows: PartitionRow[]): PartitionInventory {
  const bySk = new Map(rows.map((r) => [r.sk, r]));
  const settings = bySk.get(SETTINGS_SK);
  const subscription = bySk.get(SUBSCRIPTION_SK);
  const deletionKeys: { pk: string; sk: string }[] = [];
  const lines: LineResources[] = [];
  const callIds: string[] = [];
  const partnerIds: string[] = [];
  for (const row of rows) {
    if (row.sk !== TEARDOWN_SK) deletionKeys.push({ pk: row.pk, sk: row.sk });
    const callId = text(row.callId);
    if (row.sk.startsWith(CALL_KEYS.sk) && callId) {
      callIds.push(callId);
      deletionKeys.push(callRefKey(callId));
    }
    const partnerId = text(row.partnerId);
    if (row.sk === PARTNER_LINK_SK && partnerId) partnerIds.push(partnerId);
    if (row.sk.startsWith(INTEGRATION_SK_PREFIX)) {
      lines.push({
        kind: row.sk.slice(INTEGRATION_SK_PREFIX.length).toLowerCase(),
        number: text(row.number),
        vapiPhoneNumberId: text(row.vapiPhoneNumberId),
        vapiCredentialId: text(row.vapiCredentialId),
        sipgateDeviceId: text(row.sipgateDeviceId),
      });
    }
  }
  deletionKeys.push(...hotlineRowsNamingUser(rows));
  return {
    rowCount: rows.length,
    ...(settings ? { settings: { email: text(settings.email), locale: text(settings.locale) } } : {}),
    ...(subscription ? { subscription: { stripeSubscriptionId: text(subscription.stripeSubscriptionId), status: text(subscription.status) } } : {}),
    assistantId: text(bySk.get(ASSISTANT_SK)?.assistantId),
    lines,
    callIds,
    partnerIds,
    deletionKeys,
    apiKeyLookups: apiKeyLookupKeys(rows),
  };
}
