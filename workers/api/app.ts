import { Scalar } from "@scalar/hono-api-reference";
import { HTTPException } from "hono/http-exception";
import { RuleDefinitionError } from "../business/engine/definition-error";
import { database } from "../lib/db";
import {
  invalid,
  ProblemError,
  problemBody,
  problemResponse,
  toProblemResponse,
} from "../lib/errors";
import { alertsApi } from "./alerts";
import { gate } from "./auth/gate";
import { businessesApi } from "./businesses";
import { live } from "./businesses/live";
import { channelsApi } from "./channels";
import { deliveriesApi, deliveryActionsApi } from "./deliveries";
import { eventsApi } from "./events";
import { fieldsApi } from "./fields";
import { groupsApi } from "./groups";
import { cloudevents } from "./ingest/cloudevents";
import { otlp } from "./ingest/otlp";
import { ping } from "./ingest/ping";
import { ingest } from "./ingest/post";
import { cloudEventsRoute, otlpRoutes, pingRoutes, streamRoute } from "./ingest/protocols";
import { ingestRoute } from "./ingest/route";
import { stream } from "./ingest/stream";
import { managementBodyLimit } from "./limits";
import { newApp } from "./openapi";
import { peopleApi } from "./people";
import { rulesApi } from "./rules";
import { silencesApi } from "./silences";
import { sourcesApi } from "./sources";
import { suggestionActionsApi, suggestionsApi } from "./suggestions";
import healthz from "./system/healthz";
import { templatesApi } from "./templates";
import { viewsApi } from "./views";
import { workspacesApi } from "./workspaces";

export const API_REFERENCE_SCRIPT = "/docs/api-reference.js";

/** The bearer tokens the API takes, by security scheme name. */
const bearerSchemes = {
  adminToken: "The admin token (ADMIN_TOKEN): the instance owner, in every workspace",
  apiKey: "A workspace's API key (anomk_...): its role, inside its workspace only",
  session: "A person's session token (anoms_...) from POST /v1/auth/sign-in",
  sourceToken: "A source's ingest token, valid for one business",
};

export function createApp() {
  const app = newApp();

  app.onError((error, c) => {
    if (error instanceof ProblemError) return toProblemResponse(error);
    if (error instanceof RuleDefinitionError)
      return toProblemResponse(invalid(error.path, error.message));
    if (error instanceof HTTPException) {
      const status = error.status;
      const title = status === 400 ? "Bad Request" : error.message || "Error";
      return problemResponse(problemBody(status, title, error.message || title));
    }
    console.error(`${c.req.method} ${c.req.path} failed`, error);
    return problemResponse(
      problemBody(500, "Internal Server Error", "Something went wrong on our side."),
    );
  });
  app.notFound((c) =>
    problemResponse(problemBody(404, "Not Found", `No route for ${c.req.method} ${c.req.path}.`)),
  );

  app.use("*", async (c, next) => {
    c.set("db", database(c.env.DB));
    await next();
  });

  app.openapiRoutes([healthz]);

  // Ingest authenticates with source tokens; every other /v1 route passes the
  // gate (workers/api/auth/gate.ts): credentials, workspace, role, audit.
  app.openAPIRegistry.registerPath(ingestRoute);
  app.post("/v1/ingest/:businessId", ingest);
  // Heartbeat pings carry the source token in the URL (Healthchecks' slug URLs).
  for (const route of pingRoutes) app.openAPIRegistry.registerPath(route);
  app.on(["GET", "POST", "HEAD"], "/ping/:token/:slug/:action?", ping);
  app.openAPIRegistry.registerPath(cloudEventsRoute);
  app.post("/v1/cloudevents/:businessId", cloudevents);
  for (const route of otlpRoutes) app.openAPIRegistry.registerPath(route);
  app.post("/v1/otlp/:businessId/v1/logs", otlp("logs"));
  app.post("/v1/otlp/:businessId/v1/metrics", otlp("metrics"));
  // A WebSocket served here at the edge; batches go to the business's object.
  app.openAPIRegistry.registerPath(streamRoute);
  app.get("/v1/stream/:businessId", stream);
  const sourceRoute = (path: string) =>
    path.startsWith("/v1/ingest/") ||
    path.startsWith("/v1/cloudevents/") ||
    path.startsWith("/v1/otlp/") ||
    path.startsWith("/v1/stream/");
  app.use("/v1/*", async (c, next) =>
    sourceRoute(c.req.path) ? next() : managementBodyLimit(c, next),
  );
  const teamsGate = gate(app);
  app.use("/v1/*", async (c, next) => (sourceRoute(c.req.path) ? next() : teamsGate(c, next)));

  app.get("/v1/businesses/:id/live", live);

  // Chained so the route types add up: the UI's typed client (hono/client) is built from them.
  const routes = app
    .route("/v1/businesses", businessesApi)
    .route("/v1/businesses", fieldsApi)
    .route("/v1/businesses", sourcesApi)
    .route("/v1/businesses", eventsApi)
    .route("/v1/businesses", groupsApi)
    .route("/v1/businesses", rulesApi)
    .route("/v1/businesses", channelsApi)
    .route("/v1/businesses", silencesApi)
    .route("/v1/businesses", deliveriesApi)
    .route("/v1/businesses", viewsApi)
    .route("/v1/businesses", suggestionsApi)
    .route("/v1/templates", templatesApi)
    .route("/v1/alerts", alertsApi)
    .route("/v1/deliveries", deliveryActionsApi)
    .route("/v1/suggestions", suggestionActionsApi)
    .route("/v1/workspaces", workspacesApi)
    .route("/v1/auth", peopleApi);

  for (const [name, description] of Object.entries(bearerSchemes))
    app.openAPIRegistry.registerComponent("securitySchemes", name, {
      type: "http",
      scheme: "bearer",
      description,
    });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Anom API",
      version: "1.0.0",
      description: "Event monitoring and anomaly detection: businesses, ingest, rules, alerts.",
    },
  });
  // The reference UI's script comes from the installed, pinned npm package
  // (assets/docs/), served from this origin: /docs works without internet.
  app.get(
    "/docs",
    Scalar({
      url: "/openapi.json",
      pageTitle: "Anom API",
      cdn: API_REFERENCE_SCRIPT,
      withDefaultFonts: false,
    }),
  );
  app.get(API_REFERENCE_SCRIPT, (c) =>
    c.env.ASSETS.fetch(new URL(API_REFERENCE_SCRIPT, c.req.url)),
  );
  return routes;
}

/** The API's routes and their types, for `hc<AppType>()`. */
export type AppType = ReturnType<typeof createApp>;
