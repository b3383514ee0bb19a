// Agent phones: listed, added and changed by their owner, or by an admin of an organisation the owner
// accepted who names it and whose admins the owner allows (shared/domain/hotline-access.ts). Numbers
// are stored in E.164.
// An owner has at most `agentPhonesPerUser` phones (409 quota-agent-phones), whoever adds them, and
// none is added to an account deleted or being deleted (409 user-account-deleted).
import type { AgentPhoneRow, AgentPhonesRepository } from '../db/agent-phones';
import type { ReadTogether } from '../db/get-items';
import { memberRead, membershipRead } from '../db/organizations';
import { BadRequestError, NotFoundError, ValidationError } from '../errors';
import type { Caller } from '../model/caller';
import { inOpenAccount } from './account-state';
import { checkBodyId, idFromPath, ownerOf, ownerRows, readAsCaller, resolveOwner } from './hotline-access';
import { callableE164 } from './phone-number';
import { QuotaExceededError } from './quotas';

type Deps = { read: ReadTogether; phones: AgentPhonesRepository; now?: () => Date };

export interface AgentPhoneInput {
  /** A generated client's copy of the id: ignored on create, checked against the path on update (checkBodyId). */
  id?: number;
  isActive: boolean;
  name: string;
  phone: string;
  userID: number;
}

const view = (p: AgentPhoneRow) => ({ id: p.id, isActive: p.isActive, name: p.name, phone: p.phone, userID: p.userID });

function e164(phone: string): string {
  const number = callableE164(phone.startsWith('00') ? `+${phone.slice(2)}` : phone);
  if (!number) throw new ValidationError([{ path: 'body.phone', message: 'Must be a valid international mobile or landline number.' }]);
  return number;
}

export async function listAgentPhones(deps: Deps, caller: Caller, query: { owner_id: number; organization_id?: number }) {
  const owner = await resolveOwner(deps, caller.id, query.owner_id, query.organization_id);
  return (await deps.phones.listByOwner(owner.sub)).map(view);
}

export async function createAgentPhone(deps: Deps & { quotas: { agentPhonesPerUser: number } }, caller: Caller, input: AgentPhoneInput, organizationID?: number) {
  // The rows that decide, with the caller's account (the route's gate) before anything else is judged.
  const rows = await ownerRows(deps, caller.id, input.userID, organizationID);
  const phone = e164(input.phone);
  const owner = ownerOf(rows, input.userID, organizationID);
  const now = (deps.now?.() ?? new Date()).toISOString();
  const limit = deps.quotas.agentPhonesPerUser;
  const fields = { userID: owner.userID, name: input.name, phone, isActive: input.isActive, createdAt: now, updatedAt: now };
  const row = await inOpenAccount(caller.id, deps.phones.create(owner.sub, fields, limit));
  if (row === 'over-quota') throw new QuotaExceededError('agentPhones', limit);
  return view(row);
}

export async function updateAgentPhone(deps: Deps, caller: Caller, pathId: string, input: AgentPhoneInput, organizationID?: number) {
  // The caller's rows (with the account: the route's gate, before anything else is judged), the phone,
  // then the owner's member row when the phone is another user's.
  const rows = await readAsCaller(deps, caller.id, organizationID === undefined ? {} : { membership: membershipRead(caller.id, organizationID) });
  const id = idFromPath(pathId, 'agent phone');
  checkBodyId(input.id, id);
  const phone = e164(input.phone);
  const found = await deps.phones.getById(id);
  if (!found) throw new NotFoundError('No agent phone with this id.');
  const ownerID = found.phone.userID;
  const other = organizationID !== undefined && rows.user?.userID !== ownerID ? await deps.read({ owner: memberRead(organizationID, ownerID) }) : {};
  const owner = ownerOf({ ...rows, ...other }, ownerID, organizationID);
  if (input.userID !== found.phone.userID) throw new BadRequestError('user-id-mismatch', 'An agent phone keeps its owner: `userID` must be its current owner.');
  const updated = await deps.phones.update(owner.sub, id, { name: input.name, phone, isActive: input.isActive, updatedAt: (deps.now?.() ?? new Date()).toISOString() });
  return view(updated);
}
