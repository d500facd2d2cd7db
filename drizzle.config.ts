import { defineConfig } from "drizzle-kit";

// drizzle-kit writes SQL migrations where wrangler applies them (wrangler.toml migrations_dir).
export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/tables/index.ts",
  out: "./schema/migrations",
});
