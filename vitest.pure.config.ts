import { defineConfig } from 'vitest/config';

// Tests that need no database, without the PostgreSQL global setup (quick local loops).
export default defineConfig({
  test: { include: ['test/**/*.test.ts', 'test/**/*.test.tsx'], testTimeout: 60_000 },
});
