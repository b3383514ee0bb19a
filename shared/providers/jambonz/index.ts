// The jambonz adapter wired to this function's config.
import { jambonzAdapter } from './adapter';
import { jambonzConfig } from './config';
import type { JambonzPlatform } from './port';

export type * from './port';
export { jambonzConfig } from './config';

let jambonz: JambonzPlatform | undefined;
export function configuredJambonz(): JambonzPlatform {
  if (!jambonz) jambonz = jambonzAdapter(jambonzConfig());
  return jambonz;
}
