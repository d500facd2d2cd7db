import type { AppType } from "../workers/api/app";

/** The Pages Function's bindings. */
export interface UiEnv {
  /** The API worker (service binding). */
  API: Fetcher;
  /** The static assets of build/client. */
  ASSETS: Fetcher;
}

declare module "react-router" {
  interface AppLoadContext {
    cloudflare: { env: UiEnv; ctx: ExecutionContext };
  }
}

export type { AppType };
