import type { RouteConfig } from "@react-router/dev/routes";
import { index, layout, route } from "@react-router/dev/routes";

export default [
  route("login", "routes/login.tsx"),
  route("logout", "routes/logout.tsx"),
  route("workspace", "routes/workspace.tsx"),
  route("sign-in", "routes/sign-in.tsx"),
  route("invite/:token", "routes/invite.tsx"),
  layout("routes/shell.tsx", [
    index("routes/dashboard.tsx"),
    route("alerts", "routes/alerts.tsx"),
    route("alerts/:id", "routes/alert.tsx"),
    route("suggestions", "routes/suggestions.tsx"),
    route("businesses/new", "routes/business-new.tsx"),
    // A business: its status page and one tab per sub-page (see `tabs` in the layout).
    route("businesses/:id", "routes/business/layout.tsx", [
      index("routes/business/overview.tsx"),
      route("charts", "routes/business/charts.tsx"),
      route("events", "routes/business/events.tsx"),
      route("add", "routes/business/add.tsx"),
      route("rules", "routes/business/rules.tsx"),
      route("sources", "routes/business/sources.tsx"),
      route("channels", "routes/channels.tsx"),
      route("silences", "routes/silences.tsx"),
      route("settings", "routes/business/settings.tsx"),
      route("connect", "routes/business-connect.tsx"),
    ]),
    route("businesses/:id/rules/check", "routes/rule-check.tsx"),
    route("businesses/:id/rules/backtest", "routes/rule-backtest.tsx"),
    route("businesses/:id/add/batch", "routes/event-batch.tsx"),
    route("team", "routes/team.tsx"),
    route("team/:id/members", "routes/team-members.tsx"),
    route("team/:id/keys", "routes/team-keys.tsx"),
    route("team/:id/audit", "routes/team-audit.tsx"),
  ]),
] satisfies RouteConfig;
