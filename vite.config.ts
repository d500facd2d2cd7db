import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

// Builds the UI (npm run build:ui); app/build.mjs then bundles the server for workerd.
// Tests use vitest.config.ts.
export default defineConfig({
  plugins: [reactRouter()],
});
