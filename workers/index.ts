import { createApp } from "./api/app";

export { BusinessMonitor } from "./business/monitor";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
