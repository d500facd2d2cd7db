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
import { adminAuth } from "./auth";
import { businessesApi } from "./businesses";
import { live } from "./businesses/live";
import { channelsApi } from "./channels";
import { deliveriesApi, deliveryActionsApi } from "./deliveries";
import { eventsApi } from "./events";
import { fieldsApi } from "./fields";
import { groupsApi } from "./groups";
import { ingest } from "./ingest/post";
import { ingestRoute } from "./ingest/route";
import { managementBodyLimit } from "./limits";
import { newApp } from "./openapi";
import { rulesApi } from "./rules";
import { silencesApi } from "./silences";
import { sourcesApi } from "./sources";
import { suggestionActionsApi, suggestionsApi } from "./suggestions";
import * as healthz from "./system/healthz";
import { viewsApi } from "./views";

export const API_REFERENCE_SCRIPT = "/docs/api-reference.js";

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

  app.openapi(healthz.route, healthz.handler);

  // Ingest authenticates with source tokens; every other /v1 route needs the admin token.
  app.openAPIRegistry.registerPath(ingestRoute);
  app.post("/v1/ingest/:businessId", ingest);
  app.use("/v1/*", async (c, next) =>
    c.req.path.startsWith("/v1/ingest/") ? next() : adminAuth(c, next),
  );
  app.use("/v1/*", async (c, next) =>
    c.req.path.startsWith("/v1/ingest/") ? next() : managementBodyLimit(c, next),
  );

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
    .route("/v1/alerts", alertsApi)
    .route("/v1/deliveries", deliveryActionsApi)
    .route("/v1/suggestions", suggestionActionsApi);

  app.openAPIRegistry.registerComponent("securitySchemes", "adminToken", {
    type: "http",
    scheme: "bearer",
    description: "The admin token (ADMIN_TOKEN) for management routes",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "sourceToken", {
    type: "http",
    scheme: "bearer",
    description: "A source's ingest token, valid for one business",
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
