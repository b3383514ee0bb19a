// Every provider emulator the local stack runs, in port order after the hub
// (hub 4000, auth0 4001, mailgun 4002, ...). Add a provider here and it is started by `npm start`,
// by the tests, listed in .local/stack.json and shown on the hub page.
import { createAuth0Emulator, type Auth0Emulator } from './auth0';
import type { EmulatorDefinition } from './kit';
import { createMailgunEmulator } from './mailgun';

export interface EmulatorSet {
  auth0: Auth0Emulator;
  all: EmulatorDefinition[];
}

export function createEmulators(): EmulatorSet {
  const auth0 = createAuth0Emulator();
  const all: EmulatorDefinition[] = [auth0, createMailgunEmulator()];
  return { auth0, all };
}
