import type { AppType } from "../workers/api/app";

/** The Pages Function's bindings. */
export interface UiEnv {
  /** The API worker (service binding). */
  API: Fetcher;
  /** The static assets of build/client. */
  ASSETS: Fetcher;
  /** The API's public base URL, for ready-to-paste snippets (default http://127.0.0.1:8787). */
  API_URL?: string;
}

declare module "react-router" {
  interface AppLoadContext {
    cloudflare: { env: UiEnv; ctx: ExecutionContext };
  }
}

export type { AppType };
