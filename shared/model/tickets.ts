// A support ticket's priorities, as the marketing site's form offers them.
export const TICKET_PRIORITIES = ['trivial', 'minor', 'major', 'critical', 'blocker'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
