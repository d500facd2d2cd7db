import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "schema/migrations"));
  return {
    test: {
      // Two test files at a time (vitest's default leaves one of two cores idle):
      // each workers-project file spends seconds starting its runtime, and the
      // end-to-end project runs one file at a time anyway (fileParallelism).
      maxWorkers: 2,
      projects: [
        {
          // Everything that runs in workerd: real D1 migrations, Durable Objects, Queues.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  ADMIN_TOKEN: "test-admin-token",
                  ENVIRONMENT: "test",
                  ALLOW_PRIVATE_TARGETS: "true",
                  // Direct ingest unless a test asks otherwise (test/ingest/coalesce.test.ts).
                  COALESCE_ABOVE_RPS: "off",
                  // A coordinator's replay reads 2 events per shard of 4 a step, so the
                  // tests' small histories take several steps (test/shards/replay*.test.ts).
                  SPAN_REPLAY_STEP_EVENTS: "8",
                },
                // An empty database the migration test fills with an older schema.
                d1Databases: { MIGRATION_DB: "anom-migration-test" },
              },
            }),
          ],
          // The UI's route modules (TSX) are tested here too, against the real API worker.
          esbuild: { jsx: "automatic" as const },
          test: {
            name: "workers",
            include: ["test/**/*.test.ts"],
            exclude: ["test/e2e/**"],
            setupFiles: ["./test/setup.ts"],
            globalSetup: ["./test/support/receiver.ts", "./test/support/fuzz-config.ts"],
          },
        },
        {
          // Against the real local stack (wrangler dev), from the outside, as a client would.
          test: {
            name: "e2e",
            include: ["test/e2e/**/*.test.ts"],
            environment: "node",
            // One local stack (API and UI, wrangler dev) for all files, started once
            // before the tests; each file makes its own businesses and workspaces.
            globalSetup: ["./test/support/e2e-stack.ts"],
            // One file at a time: the two cores go to the stack and Chromium.
            fileParallelism: false,
            // After the workers project, never beside it.
            sequence: { groupOrder: 1 },
            testTimeout: 180_000,
            hookTimeout: 120_000,
            // The browser waits for the page to show a state; on two shared cores a
            // server round trip and render can take longer than the default second.
            expect: { poll: { timeout: 10_000 } },
          },
        },
      ],
    },
  };
});
