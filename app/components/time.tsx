import { useEffect, useState } from "react";
import { ago, when } from "../lib/format";

/** The time now, after the page hydrated (null before: the server's render); ticks every 30 s. */
export function useNow(): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * A time in the business's zone, zone named (`27 Nov 15:08 GMT+1`); with
 * `relative`, `3 min ago` once the page runs in the browser (the server and
 * the first render show the absolute time, so hydration matches). The absolute
 * time with seconds is always on hover.
 */
export function Time({
  at,
  zone,
  relative = false,
  prefix = "",
}: {
  at: string | null | undefined;
  zone: string;
  relative?: boolean;
  prefix?: string;
}) {
  const now = useNow();
  if (!at) return <span className="muted">never</span>;
  const absolute = when(at, zone);
  return (
    <time dateTime={at} title={when(at, zone, { seconds: true, year: true })}>
      {prefix}
      {relative && now !== null ? ago(at, now) : absolute}
    </time>
  );
}
