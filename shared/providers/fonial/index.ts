// The fonial adapter wired to this function's config. Memoised, so a warm Lambda keeps its session.
import { fonialAdapter } from './adapter';
import { fonialConfig } from './config';
import type { FonialPhoneSystem } from './port';

export type * from './port';
export { fonialConfig } from './config';

let fonial: FonialPhoneSystem | undefined;
export function configuredFonial(): FonialPhoneSystem {
  if (!fonial) fonial = fonialAdapter(fonialConfig());
  return fonial;
}
