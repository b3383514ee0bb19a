// The second step of `npm test`: checks the log lines the first step captured (test/logs/).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/logs/**/*.test.ts'],
    env: { STAGE: 'test', POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
