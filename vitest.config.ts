import { defineConfig } from 'vitest/config';

// Two projects: unit tests are pure and fast; integration tests drive real
// sshd hosts (test/lab) and run one file at a time, since the hosts are root
// processes with their own addresses and a 2-core machine gains nothing from
// racing them.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Unit files run in parallel on 2 cores; a cold start (ESLint's in the
          // layering test, scrypt in the secrets tests) can pass 5 s under load.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
