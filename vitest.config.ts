import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Checked by the second step of `npm test`, over the logs this run captured.
    exclude: ['test/logs/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/support/capture-logs.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // DEBUG: every log line the functions can write is produced, captured and checked for secrets.
    env: { STAGE: 'test', POWERTOOLS_LOG_LEVEL: 'DEBUG' },
  },
});
