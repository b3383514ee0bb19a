// Every provider emulator the local stack runs, each on a fixed port after the hub's (hub 4000,
// auth0 4001, mailgun 4002, ...) so the local config defaults can point at them. Add a provider here
// and it is started by `npm start` and by the tests, listed in .local/stack.json and shown on the hub.
// `secrets` is not a provider but the AWS Parameters and Secrets Lambda Extension the functions read
// their provider secrets through; the stack stores its credentials there. `kms` is AWS KMS, holding
// the key that seals partners' bank details. `sqs` is Amazon SQS, holding the queue webhook attempts run
// on (its clock moves when tests say so); `s3` is Amazon S3, holding the data exports' files.
import { createAuth0Emulator, type Auth0Emulator } from './auth0';
import { createFonialEmulator } from './fonial';
import { createJambonzEmulator } from './jambonz';
import { createKmsEmulator } from './kms';
import type { EmulatorDefinition } from './kit';
import { createMailgunEmulator } from './mailgun';
import { createRecaptchaEmulator } from './recaptcha';
import { createS3Emulator } from './s3';
import { createSecretsEmulator, type SecretsEmulator } from './secrets';
import { createSipgateEmulator } from './sipgate';
import { createSqsEmulator } from './sqs';
import { createStripeEmulator } from './stripe';
import { createVapiEmulator } from './vapi';

export interface EmulatorSet {
  auth0: Auth0Emulator;
  secrets: SecretsEmulator;
  /** Each emulator with its port's offset from the hub's port. */
  all: { definition: EmulatorDefinition; portOffset: number }[];
}

export function createEmulators(): EmulatorSet {
  const auth0 = createAuth0Emulator();
  const secrets = createSecretsEmulator();
  return {
    auth0,
    secrets,
    all: [
      { definition: auth0, portOffset: 1 },
      { definition: createMailgunEmulator(), portOffset: 2 },
      { definition: createVapiEmulator({ seedLocal: true }), portOffset: 3 },
      { definition: createSipgateEmulator(), portOffset: 4 },
      { definition: createFonialEmulator(), portOffset: 5 },
      { definition: createJambonzEmulator({ seedCallback: true, answerCalls: true }), portOffset: 6 },
      { definition: createStripeEmulator(), portOffset: 7 },
      { definition: createRecaptchaEmulator(), portOffset: 8 },
      { definition: secrets, portOffset: 9 },
      { definition: createKmsEmulator(), portOffset: 10 },
      { definition: createSqsEmulator(), portOffset: 11 },
      { definition: createS3Emulator(), portOffset: 12 },
    ],
  };
}
