import type { ReactNode } from "react";
import { useEffect } from "react";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
} from "react-router";
import { humaneStatus } from "./lib/humane";
import styles from "./styles.css?url";

const favicon =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#2457d6"/></svg>',
  );

export const links = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: favicon },
];

export function Layout({ children }: { children: ReactNode }) {
  // Marks the page as running in the browser, an error page too (the browser suite waits for it).
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Anom</title>
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

const statusTitles: Record<number, string> = {
  403: "Not allowed",
  404: "Not found",
  429: "Too many requests",
};

/** A failed page in words: what happened and what to do, never a status code alone. */
export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const problem = isRouteErrorResponse(error) ? (error.data as { detail?: unknown }) : undefined;
  const title = statusTitles[status] ?? "Something went wrong";
  const detail = humaneStatus(
    status,
    typeof problem?.detail === "string" ? problem.detail : undefined,
  );
  return (
    <main className="page">
      <h1>{title}</h1>
      <p>{detail}</p>
      <p>
        <a href="/">Back to the dashboard</a>
      </p>
    </main>
  );
}
