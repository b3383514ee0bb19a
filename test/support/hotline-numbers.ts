// Local numbers for the hotline pool, as an admin gets them: bought at Sipgate (the emulator's
// `/_numbers`, routed to the hotline trunk, with the national form whose first group is the area code)
// and imported (`POST /v1/admin/hotline-numbers`). The files of a worker share one stack, so a file
// that needs active hotlines gives its organisations an area code of their own (`uniqueAreaCode`) and
// adds that area the numbers it will use: no file drains another's area, and the seeded areas (030,
// 040, 089, 0221, 0241) stay the demo's.
import { SIPGATE_LOCAL } from '../../shared/providers/sipgate/config';
import type { TestStack } from './stack';

const COUNTERS = Symbol.for('fonella.test.hotline-numbers');

/** This worker's counters (its files share one module graph and one stack), from a random start. */
function counters(): { area: number; number: number } {
  const g = globalThis as Record<symbol, { area: number; number: number } | undefined>;
  g[COUNTERS] ??= { area: Math.floor(Math.random() * 9000), number: Math.floor(Math.random() * 900_000) };
  return g[COUNTERS];
}

/**
 * An area code no other call on this worker gets: five digits starting with 9 (no seeded area is that
 * long), as it follows +49 (`92345`); a SIP account's `cityCode` writes it `092345`.
 */
export function uniqueAreaCode(): string {
  const c = counters();
  return `9${String(c.area++ % 10_000).padStart(4, '0')}`;
}

/** Adds `count` numbers of the area to the Sipgate account, on the hotline trunk; answers them (E.164). */
export async function buyHotlineNumbers(stack: TestStack, areaCode: string, count = 1): Promise<string[]> {
  const area = areaCode.replace(/^0+/, '');
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const subscriber = String(counters().number++ % 1_000_000).padStart(6, '0');
    const number = `+49${area}${subscriber}`;
    const res = await fetch(`${stack.emulators.sipgate}/_numbers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ number, localized: `0${area} ${subscriber}`, endpointId: SIPGATE_LOCAL.hotlineTrunkDeviceId }),
    });
    if (res.status !== 201) throw new Error(`the Sipgate emulator did not add ${number}: ${res.status} ${await res.text()}`);
    out.push(number);
  }
  return out;
}

/** The admin's import of the hotline trunk's numbers; its answer (200 or a thrown error). */
export async function importHotlineNumbers(stack: TestStack): Promise<{ imported: string[]; alreadyInPool: number; total: number; assigned: { hotlineId: number; organizationId: number; number: string }[] }> {
  const res = await stack.call('POST', '/v1/admin/hotline-numbers', { token: stack.tokens.admin });
  if (res.status !== 200) throw new Error(`the hotline number import answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Buys `count` numbers of the area and imports them: they are free in the pool when this returns. */
export async function addHotlineNumbers(stack: TestStack, areaCode: string, count = 1): Promise<string[]> {
  const numbers = await buyHotlineNumbers(stack, areaCode, count);
  await importHotlineNumbers(stack);
  return numbers;
}
