// Augments (rather than replaces) vitest's types, so this file is a module.
export {};

declare module "vitest" {
  export interface ProvidedContext {
    /** Port of the HTTP receiver started by test/support/receiver.ts. */
    receiverPort: number;
    /** Runs per operation and seed of the fuzz suite (test/support/fuzz-config.ts). */
    fuzz: { runs: number; seed: number; verbose: boolean };
  }
}
