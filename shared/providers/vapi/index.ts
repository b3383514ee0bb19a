// The Vapi adapter wired to this function's config.
import { vapiAdapter } from './adapter';
import { vapiConfig } from './config';
import type { VoiceAssistants } from './port';

export type * from './port';
export { vapiConfig } from './config';

let assistants: VoiceAssistants | undefined;
export function configuredVapi(): VoiceAssistants {
  if (!assistants) {
    const c = vapiConfig();
    assistants = vapiAdapter({ apiKey: c.apiKey, baseUrl: c.baseUrl });
  }
  return assistants;
}
