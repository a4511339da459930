import { defineConfig } from 'vitest/config';

// Two projects: unit tests are pure and fast; integration tests drive real
// sshd hosts (test/lab). Integration files run two at a time: they mostly
// wait (sshd logins, the EC2 simulator's state changes, libvirt), every lab
// locks its own loopback addresses, and one file at a time no longer fits
// the CI run's 30 minutes.
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
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
