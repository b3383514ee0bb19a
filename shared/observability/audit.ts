// The admin dashboard's audit trail: every admin action is one log line naming the admin (their Auth0
// id), what they did and to what. Never the content of what they sent (a search text, an email).
import { logger } from './logger';

export function auditAdmin(adminId: string, action: string, target: string, details: Record<string, unknown> = {}): void {
  logger.info('admin action', { audit: true, adminId, action, target, ...details });
}
