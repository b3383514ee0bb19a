// A page cursor's bound: the schemas refuse a longer one before it is decoded (shared/db/cursor.ts).
export const CURSOR_MAX_LENGTH = 1024;
