import type { RouteConfig } from "@react-router/dev/routes";
import { index, layout, route } from "@react-router/dev/routes";

export default [
  route("login", "routes/login.tsx"),
  route("logout", "routes/logout.tsx"),
  route("sign-in", "routes/sign-in.tsx"),
  route("invite/:token", "routes/invite.tsx"),
  layout("routes/shell.tsx", [
    index("routes/dashboard.tsx"),
    route("alerts", "routes/alerts.tsx"),
    route("alerts/:id", "routes/alert.tsx"),
    route("suggestions", "routes/suggestions.tsx"),
    route("businesses/new", "routes/business-new.tsx"),
    route("businesses/:id", "routes/business.tsx"),
    route("businesses/:id/rules/check", "routes/rule-check.tsx"),
    route("businesses/:id/rules/backtest", "routes/rule-backtest.tsx"),
    route("businesses/:id/channels", "routes/channels.tsx"),
    route("businesses/:id/silences", "routes/silences.tsx"),
    route("businesses/:id/connect", "routes/business-connect.tsx"),
    route("team", "routes/team.tsx"),
    route("team/:id/members", "routes/team-members.tsx"),
    route("team/:id/keys", "routes/team-keys.tsx"),
    route("team/:id/audit", "routes/team-audit.tsx"),
  ]),
] satisfies RouteConfig;
