// The phone-number pool as the admin dashboard runs it.
//
// importPoolNumbers — POST /v1/admin/pool-numbers, and the local stack's seeding.
//   input: Fonella's Sipgate account (its number list) and the trunk device's id; output: the numbers
//   added now, how many the pool had already, and how many the trunk has.
//   1. list the account's numbers (a Sipgate failure is the provider's 502; nothing is written);
//   2. keep those routed to the trunk device: a number ringing a phoneline or a customer's own device
//      is not Fonella's to hand out;
//   3. store each as a free pool number unless the pool has it: one conditional put per number, so a
//      second import adds only what is new and never touches an existing row (an assigned number
//      stays assigned). An import cut short is finished by running it again.
//
// listPoolNumbers — GET /v1/admin/pool-numbers.
//   input: page size, cursor, optional status; output: one page of numbers with their assignment and
//   the next page's cursor (400 `invalid-cursor` for a cursor this listing did not give out).
import type { PoolPage, PoolRepository, PoolStatus } from '../db/pool';
import { logger } from '../observability/logger';
import type { Telephony } from '../providers/sipgate/port';

const E164 = /^\+[1-9][0-9]{1,14}$/;

/** Puts in flight at once: a trunk of a few hundred numbers imports well within the function's time. */
const CONCURRENT_PUTS = 10;

export interface ImportPoolDeps {
  telephony: Pick<Telephony, 'listNumbers'>;
  pool: Pick<PoolRepository, 'importNumber'>;
  /** Sipgate's id of the shared trunk's register device (SIPGATE_TRUNK_DEVICE_ID). */
  trunkDeviceId: string;
  now?: () => Date;
}

export interface PoolImportResult {
  imported: string[];
  alreadyInPool: number;
  total: number;
}

export async function importPoolNumbers(deps: ImportPoolDeps): Promise<PoolImportResult> {
  const importedAt = (deps.now?.() ?? new Date()).toISOString();
  const onTrunk = (await deps.telephony.listNumbers()).filter((n) => n.endpointId === deps.trunkDeviceId);
  const numbers = onTrunk.filter((n) => {
    if (E164.test(n.number)) return true;
    logger.warn('trunk number is not E.164, not imported', { sipgateNumberId: n.id });
    return false;
  });
  numbers.sort((a, b) => a.number.localeCompare(b.number));

  const imported: string[] = [];
  let alreadyInPool = 0;
  for (let i = 0; i < numbers.length; i += CONCURRENT_PUTS) {
    const batch = numbers.slice(i, i + CONCURRENT_PUTS);
    const outcomes = await Promise.all(
      batch.map((n) => deps.pool.importNumber({ number: n.number, sipgateNumberId: n.id, status: 'free', importedAt })),
    );
    outcomes.forEach((o, j) => (o.created ? imported.push(batch[j]!.number) : alreadyInPool++));
  }
  return { imported, alreadyInPool, total: numbers.length };
}

export interface PoolNumberView {
  number: string;
  status: PoolStatus;
  userId: string | null;
  assignedAt: string | null;
  importedAt: string;
  sipgateNumberId: string;
}

export async function listPoolNumbers(
  deps: { pool: Pick<PoolRepository, 'list'> },
  input: { limit: number; cursor?: string; status?: PoolStatus },
): Promise<{ items: PoolNumberView[]; nextCursor: PoolPage['nextCursor'] }> {
  const page = await deps.pool.list(input);
  return {
    items: page.items.map((r) => ({
      number: r.number,
      status: r.status,
      userId: r.userId ?? null,
      assignedAt: r.assignedAt ?? null,
      importedAt: r.importedAt,
      sipgateNumberId: r.sipgateNumberId,
    })),
    nextCursor: page.nextCursor,
  };
}
