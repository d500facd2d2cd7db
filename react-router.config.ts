import type { Config } from "@react-router/dev/config";

// The web UI: server-rendered on Cloudflare Pages (see app/worker.ts).
export default {
  appDirectory: "app",
  buildDirectory: "build",
  ssr: true,
} satisfies Config;
