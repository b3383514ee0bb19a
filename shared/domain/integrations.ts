// The customer's own phone lines (POST / DELETE /v1/me/integrations): a number of Fonella's Sipgate
// account on a register device of its own, or the customer's own SIP trunk, each reaching their
// assistant through a Vapi BYO SIP trunk credential and phone number.
//
// Creating one is a list of steps (`{ name, provider, run, undo }`), each making one provider resource.
// The row is claimed first, every id is recorded on it as soon as the resource exists, and a failure
// at any step undoes the steps done, newest first, taking each id off the row, then deletes the row:
// nothing is left half-made. Removing a line deletes what the row names in reverse creation order,
// taking each id off as it goes, so a retry after a failure finishes the job; a resource the provider
// no longer knows counts as removed. The SIP password lives in memory for one request only.
// An external trunk's gateway must be on the public internet (shared/net/public-address.ts): checked
// as written and by every address its name resolves to, before anything is stored or created.
import { randomUUID } from 'node:crypto';
import type { MetadataJson } from 'libphonenumber-js/core';
import { LINE_RESOURCE_FIELDS, type IntegrationsRepository, type LineKind, type LineResourceField, type LineRow } from '../db/integrations';
import type { UsersRepository } from '../db/users';
import { AppError, ConflictError, ProviderNotFoundError, ValidationError } from '../errors';
import { assertAccountOpen } from './account-state';
import type { Caller } from '../model/caller';
import { checkPublicHost, type AddressPolicy, type ResolveHost } from '../net/public-address';
import { logger } from '../observability/logger';
import type { Telephony } from '../providers/sipgate';
import type { VoiceAssistants } from '../providers/vapi';

/** Where Vapi reaches Sipgate for a register device's SIP login. */
export const SIPGATE_SIP_GATEWAY = 'sipconnect.sipgate.de';

export interface IntegrationDeps {
  users: Pick<UsersRepository, 'loadUser'>;
  lines: IntegrationsRepository;
  vapi: VoiceAssistants;
  sipgate: Telephony;
  /** The Sipgate web user devices are created for, and the shared trunk's device (never touched). */
  sipgateAccount: { userId: string; trunkDeviceId: string };
  /** Vapi's credential of the shared trunk (pool numbers): never deleted. */
  poolCredentialId: string;
  now?: () => Date;
}

/** Creating a line also checks an external trunk's gateway: the resolver to use and the stage's policy. */
export interface AddIntegrationDeps extends IntegrationDeps {
  gateways: AddressPolicy & { resolve: ResolveHost };
}

export type IntegrationRequest =
  | { mode: 'sipgate'; phoneNumber: string; alias?: string }
  | {
      mode: 'external';
      gateway: string;
      port: number;
      inboundEnabled: boolean;
      authUsername: string;
      authPassword: string;
      phoneNumber: string;
    };

export interface IntegrationView {
  kind: 'pool' | LineKind;
  number: string;
  state: 'creating' | 'connecting' | 'active' | 'failed';
  createdAt: string;
}

export class AssistantRequiredError extends ConflictError {
  constructor() {
    super('Set up the assistant first (PUT /v1/me/assistant): a line rings the assistant.', 'assistant-required');
  }
}
export class IntegrationExistsError extends ConflictError {
  constructor(kind: LineKind) {
    super(`The caller has a ${kind} line already; remove it first (DELETE /v1/me/integrations).`, 'integration-exists');
  }
}
export class IntegrationInProgressError extends ConflictError {
  constructor(kind: LineKind) {
    super(`Another request is creating the caller's ${kind} line right now; retry in a moment.`, 'integration-in-progress');
  }
}
export class NumberNotOnAccountError extends AppError {
  constructor() {
    super(422, 'number-not-on-account', 'Number not on the account', "The number is not one of Fonella's Sipgate account.");
  }
}
export class NumberUnavailableError extends AppError {
  constructor() {
    super(422, 'number-unavailable', 'Number unavailable', "The number rings Fonella's pool trunk or another line; it cannot be used.");
  }
}

export class GatewayNotPublicError extends AppError {
  constructor(reason: string) {
    const message = `${reason}: the SIP gateway must be reachable on the public internet.`;
    super(400, 'gateway-not-public', 'Gateway not public', message, { errors: [{ path: 'body.gateway', message }] });
  }
}

/** What one creation carries from step to step; `password` is never written anywhere. */
export interface LineContext {
  userId: string;
  assistantId: string;
  number: string;
  alias: string;
  sipgateNumberId?: string;
  gateway: { ip: string; port?: number; inboundEnabled: boolean };
  auth?: { username: string; password: string };
  sipgateDeviceId?: string;
  vapiCredentialId?: string;
  vapiPhoneNumberId?: string;
}

export interface LineStep {
  name: string;
  provider: 'sipgate' | 'vapi';
  /** Makes the step's resource; answers the fields to record on the row. */
  run(deps: IntegrationDeps, ctx: LineContext): Promise<Partial<LineRow>>;
  /** The id field this step's resource is recorded under, and how it is deleted (none: nothing to undo). */
  resource?: LineResourceField;
}

const createDevice: LineStep = {
  name: 'create-sipgate-device',
  provider: 'sipgate',
  resource: 'sipgateDeviceId',
  async run(deps, ctx) {
    const device = await deps.sipgate.createRegisterDevice({ userId: deps.sipgateAccount.userId, alias: ctx.alias });
    ctx.sipgateDeviceId = device.deviceId;
    ctx.auth = { username: device.sipId, password: device.password };
    return { sipgateDeviceId: device.deviceId, sipUsername: device.sipId };
  },
};

// No undo: deleting the device makes Sipgate ring the phoneline again.
const routeNumber: LineStep = {
  name: 'route-sipgate-number',
  provider: 'sipgate',
  async run(deps, ctx) {
    await deps.sipgate.routeNumber({ numberId: ctx.sipgateNumberId!, endpointId: ctx.sipgateDeviceId! });
    return {};
  },
};

const createCredential: LineStep = {
  name: 'create-vapi-credential',
  provider: 'vapi',
  resource: 'vapiCredentialId',
  async run(deps, ctx) {
    const trunk = await deps.vapi.createSipTrunk({ name: `Fonella ${ctx.number}`, gateways: [ctx.gateway], auth: ctx.auth! });
    ctx.vapiCredentialId = trunk.id;
    return { vapiCredentialId: trunk.id };
  },
};

const createPhoneNumber: LineStep = {
  name: 'create-vapi-phone-number',
  provider: 'vapi',
  resource: 'vapiPhoneNumberId',
  async run(deps, ctx) {
    const ref = await deps.vapi.createSipNumber({
      number: ctx.number,
      credentialId: ctx.vapiCredentialId!,
      name: `Fonella ${ctx.number}`,
      assistantId: ctx.assistantId,
    });
    ctx.vapiPhoneNumberId = ref.id;
    return { vapiPhoneNumberId: ref.id };
  },
};

/** The steps of each kind of line, in order. */
export const LINE_STEPS: Record<LineKind, LineStep[]> = {
  sipgate: [createDevice, routeNumber, createCredential, createPhoneNumber],
  external: [createCredential, createPhoneNumber],
};

export async function addIntegration(deps: AddIntegrationDeps, caller: Pick<Caller, 'id'>, req: IntegrationRequest): Promise<IntegrationView> {
  const userId = caller.id;
  const kind: LineKind = req.mode;
  // The route's account gate, folded into this Query (`accountState` in its manifest entry).
  const rows = await deps.users.loadUser(userId, { consistent: true });
  assertAccountOpen(rows.teardown);
  const assistantId = rows.assistant?.status === 'ready' ? rows.assistant.assistantId : undefined;
  if (!assistantId) throw new AssistantRequiredError();
  const existing = await deps.lines.get(userId, kind);
  if (existing) throw existing.state === 'creating' ? new IntegrationInProgressError(kind) : new IntegrationExistsError(kind);
  if (req.mode === 'external') await requirePublicGateway(deps.gateways, req.gateway);

  const ctx: LineContext =
    req.mode === 'sipgate'
      ? await sipgateContext(deps, userId, assistantId, req)
      : {
          userId,
          assistantId,
          number: req.phoneNumber,
          alias: `Fonella ${req.phoneNumber}`,
          gateway: { ip: req.gateway, port: req.port, inboundEnabled: req.inboundEnabled },
          auth: { username: req.authUsername, password: req.authPassword },
        };

  const stamp = (deps.now?.() ?? new Date()).toISOString();
  const claimId = randomUUID();
  const claimed = await deps.lines.claim(userId, {
    kind,
    state: 'creating',
    claimId,
    number: ctx.number,
    createdAt: stamp,
    updatedAt: stamp,
    ...(ctx.sipgateNumberId ? { sipgateNumberId: ctx.sipgateNumberId } : {}),
    ...(req.mode === 'external' ? { gateway: req.gateway, port: req.port, sipUsername: req.authUsername } : {}),
  });
  if (!claimed) {
    const row = await deps.lines.get(userId, kind);
    throw row?.state === 'creating' ? new IntegrationInProgressError(kind) : new IntegrationExistsError(kind);
  }

  const done: LineStep[] = [];
  try {
    for (const step of LINE_STEPS[kind]) {
      const fields = await step.run(deps, ctx);
      done.push(step);
      await deps.lines.record(userId, kind, claimId, fields);
    }
    await deps.lines.record(userId, kind, claimId, { state: 'active', updatedAt: (deps.now?.() ?? new Date()).toISOString() });
  } catch (err) {
    await undo(deps, userId, kind, claimId, ctx, done);
    throw err;
  }
  return { kind, number: ctx.number, state: 'active', createdAt: stamp };
}

/** 400 `gateway-not-public` unless the gateway and every address its name resolves to are public. */
async function requirePublicGateway(policy: AddIntegrationDeps['gateways'], gateway: string): Promise<void> {
  const check = await checkPublicHost(gateway, policy);
  if (!check.ok) throw new GatewayNotPublicError(check.reason);
}

/** Undoes the steps done, newest first; all gone: the row too. Left over: the row names what remains. */
async function undo(deps: IntegrationDeps, userId: string, kind: LineKind, claimId: string, ctx: LineContext, done: LineStep[]) {
  let clean = true;
  for (const step of [...done].reverse()) {
    const field = step.resource;
    if (!field) continue;
    const id = ctx[field];
    if (!id) continue;
    try {
      await deleteResource(deps, field, id);
      await deps.lines.forget(userId, kind, field);
    } catch (e) {
      clean = false;
      logger.error('line creation not undone: the row keeps the id for DELETE /v1/me/integrations', { step: step.name, field, id, error: e as Error });
    }
  }
  try {
    if (clean) await deps.lines.remove(userId, kind, claimId);
    else await deps.lines.record(userId, kind, claimId, { state: 'failed' });
  } catch (e) {
    logger.error('line claim not released', { kind, error: e as Error });
  }
}

async function sipgateContext(
  deps: IntegrationDeps,
  userId: string,
  assistantId: string,
  req: Extract<IntegrationRequest, { mode: 'sipgate' }>,
): Promise<LineContext> {
  const e164 = await e164Reader();
  const number = e164(req.phoneNumber);
  if (!number) throw new ValidationError([{ path: 'body.phoneNumber', message: 'Must be a phone number.' }]);
  const onAccount = (await deps.sipgate.listNumbers()).find((n) => e164(n.number) === number);
  if (!onAccount) throw new NumberNotOnAccountError();
  // Only a number that rings a phoneline is free to take: the trunk's are the pool's, a device's another line's.
  if (onAccount.endpointId && !/^p\d+$/.test(onAccount.endpointId)) throw new NumberUnavailableError();
  return {
    userId,
    assistantId,
    number,
    alias: req.alias ?? `Fonella ${number}`,
    sipgateNumberId: onAccount.id,
    gateway: { ip: SIPGATE_SIP_GATEWAY, inboundEnabled: true },
  };
}

/**
 * A number's E.164 form, read as German when it has no country code; undefined when it is none. Only a
 * Sipgate line reads numbers, so libphonenumber-js loads at the first such request (the route's
 * `loadsOnDemand`: left out of its bundle) and the metadata is parsed then (its text is bundled).
 */
async function e164Reader(): Promise<(input: string) => string | undefined> {
  const [{ parsePhoneNumberWithError }, { default: metadata }] = await Promise.all([import('libphonenumber-js/core'), import('../model/phone-metadata.parsing')]);
  return (input) => {
    try {
      return parsePhoneNumberWithError(input, 'DE', metadata as MetadataJson).number;
    } catch {
      return undefined;
    }
  };
}

async function deleteResource(deps: IntegrationDeps, field: LineResourceField, id: string): Promise<void> {
  try {
    if (field === 'vapiPhoneNumberId') await deps.vapi.deletePhoneNumber(id);
    else if (field === 'vapiCredentialId') {
      if (id !== deps.poolCredentialId) await deps.vapi.deleteSipTrunk(id);
    } else if (id !== deps.sipgateAccount.trunkDeviceId) await deps.sipgate.deleteDevice(id);
  } catch (err) {
    // Already gone at the provider: that is what we wanted.
    if (!(err instanceof ProviderNotFoundError)) throw err;
  }
}

// --- Removal -------------------------------------------------------------------------------------

export interface RemoveScope {
  externalOnly?: boolean;
  fonellaSipgateOnly?: boolean;
}

export async function removeIntegrations(deps: IntegrationDeps, caller: Pick<Caller, 'id'>, scope: RemoveScope): Promise<void> {
  if (scope.externalOnly && scope.fonellaSipgateOnly) {
    throw new ValidationError([{ path: 'query.fonellaSipgateOnly', message: 'Give `externalOnly` or `fonellaSipgateOnly`, not both.' }]);
  }
  const userId = caller.id;
  const kinds: ('pool' | LineKind)[] = scope.externalOnly ? ['external'] : scope.fonellaSipgateOnly ? ['sipgate'] : ['pool', 'sipgate', 'external'];
  for (const kind of kinds) {
    if (kind === 'pool') await removePoolLine(deps, userId);
    else await removeLine(deps, userId, kind);
  }
}

async function removeLine(deps: IntegrationDeps, userId: string, kind: LineKind): Promise<void> {
  const row = await deps.lines.get(userId, kind);
  if (!row) return;
  for (const field of [...LINE_RESOURCE_FIELDS].reverse()) {
    const id = row[field];
    if (!id) continue;
    await deleteResource(deps, field, id);
    await deps.lines.forget(userId, kind, field);
  }
  await deps.lines.remove(userId, kind);
}

/** What giving a pool line back uses. */
export type PoolLineRemovalDeps = Pick<IntegrationDeps, 'lines' | 'vapi'>;

/**
 * Gives the user's pool number back: the Vapi number first (the shared trunk's credential stays), then
 * number and line in one transaction. Also the release at a period's end (shared/domain/pool-waiting.ts).
 */
export async function removePoolLine(deps: PoolLineRemovalDeps, userId: string): Promise<void> {
  // The binding worker may bind the line while we remove it: then its number is deleted on the next round.
  for (let round = 0; round < 3; round++) {
    const line = await deps.lines.poolLine(userId);
    if (!line) return;
    if (line.vapiPhoneNumberId) {
      try {
        await deps.vapi.deletePhoneNumber(line.vapiPhoneNumberId);
      } catch (err) {
        // Already gone at Vapi: that is what we wanted.
        if (!(err instanceof ProviderNotFoundError)) throw err;
      }
      await deps.lines.forgetPoolBinding(userId, line.vapiPhoneNumberId);
    }
    if (await deps.lines.releasePoolLine(userId, line.number)) return;
  }
  throw new ConflictError('The pool line changed while it was being removed; retry.', 'integration-in-progress');
}
