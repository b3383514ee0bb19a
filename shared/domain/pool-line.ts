// Binding a pool number in Vapi: the bindPoolNumber worker, from the INSERT of the user's pool line.
// The number becomes a BYO phone number on the shared trunk's credential, attached to the user's
// assistant, and the line is marked with Vapi's id. A retried record finds the mark and does nothing.
// The one window: Vapi created the number and the mark was not written (the function died between);
// the retry then creates a second one. Where a concurrent run marked first, the extra number is
// deleted again at once.
import type { PoolLinesRepository } from '../db/pool-lines';
import { logger } from '../observability/logger';
import type { VoiceAssistants } from '../providers/vapi';

export interface BindDeps {
  lines: PoolLinesRepository;
  vapi: VoiceAssistants;
  /** Vapi's BYO SIP trunk credential for Fonella's Sipgate trunk. */
  credentialId: string;
  now?: () => Date;
}

export async function bindPoolNumber(deps: BindDeps, userId: string): Promise<void> {
  const line = await deps.lines.get(userId);
  if (!line) return logger.info('pool line gone before it was bound', { userId });
  if (line.vapiPhoneNumberId) return logger.info('pool line already bound', { userId });
  const ref = await deps.vapi.createSipNumber({
    number: line.number,
    credentialId: deps.credentialId,
    name: `Fonella ${line.number}`,
    assistantId: line.assistantId,
  });
  const marked = await deps.lines.markBound(userId, ref.id, (deps.now?.() ?? new Date()).toISOString());
  if (!marked) {
    logger.warn('pool line bound by another run: deleting the extra Vapi number', { userId, vapiPhoneNumberId: ref.id });
    await deps.vapi.deletePhoneNumber(ref.id);
  }
}
