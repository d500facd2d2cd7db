import { createRequestHandler } from "react-router";
// The React Router server build (react-router build); bundled in by app/build.mjs.
import * as build from "../build/server/index.js";
import type { UiEnv } from "./env";
import { liveAlerts } from "./lib/live.server";

const handle = createRequestHandler(build, "production");

/** Pages advanced mode: static assets from build/client, everything else rendered by React Router. */
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/assets/") || url.pathname === "/favicon.svg") {
      return env.ASSETS.fetch(request);
    }
    // The API's reference (GET /docs, its script and /openapi.json), linked from the navigation.
    if (
      url.pathname === "/docs" ||
      url.pathname.startsWith("/docs/") ||
      url.pathname === "/openapi.json"
    ) {
      return env.API.fetch(new Request(new URL(url.pathname, "http://api.internal"), request));
    }
    const live = /^\/live\/([A-Za-z0-9_]+)$/.exec(url.pathname);
    if (live?.[1]) return liveAlerts(request, env, live[1]);
    return handle(request, { cloudflare: { env, ctx } });
  },
} satisfies ExportedHandler<UiEnv>;
