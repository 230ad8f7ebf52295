import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds what the chosen test files need and is missing (the Kubernetes control plane, the
    // local cluster's programs), saying so, before any test file is imported.
    globalSetup: ['test/helpers/global-setup.ts'],
    // Integration tests start real processes and bind real ports; running files one at a
    // time keeps timing-sensitive checks (driver vs hey, shaping) off each other's CPU.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
