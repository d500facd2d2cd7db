// Augments (rather than replaces) vitest's types, so this file is a module.
export {};

declare module "vitest" {
  export interface ProvidedContext {
    /** Port of the HTTP receiver started by test/support/receiver.ts. */
    receiverPort: number;
    /** Runs per operation and seed of the fuzz suite (test/support/fuzz-config.ts). */
    fuzz: { runs: number; seed: number; verbose: boolean };
    /** The e2e project's local stack, started once by test/support/e2e-stack.ts. */
    e2eStack: { api: string; ui: string; admin: string };
  }
}
