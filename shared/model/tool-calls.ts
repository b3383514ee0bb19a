// How a custom tool's call ended, as recorded on the call (shared/db/tool-calls.ts) and shown with it.

export const TOOL_CALL_OUTCOMES = ['ok', 'timeout', 'http-error', 'too-large', 'unreachable', 'refused', 'unknown-tool', 'failed'] as const;
export type ToolCallOutcome = (typeof TOOL_CALL_OUTCOMES)[number];
