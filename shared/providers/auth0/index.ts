// The Auth0 user directory wired to this function's config.
import { auth0Directory } from './adapter';
import { auth0Config } from './config';
import type { UserDirectory } from './port';

export type * from './port';

let directory: UserDirectory | undefined;
export function configuredDirectory(): UserDirectory {
  if (!directory) directory = auth0Directory(auth0Config());
  return directory;
}
