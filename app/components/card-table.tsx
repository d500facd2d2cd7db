import type { ReactNode } from "react";

/** One column of a `CardTable`. */
export interface Column<T> {
  /** The heading; "" for a column of actions. */
  head: ReactNode;
  /** What names a cell on a phone card (default: the heading when it is text; none when empty). */
  label?: string;
  className?: string | ((row: T) => string);
  cell: (row: T) => ReactNode;
}

/**
 * A table that becomes one card per row on a phone (`.cards-on-phone` in
 * styles.css), each cell named by its column's label; `empty`, when given,
 * stands in its place while there are no rows.
 */
export function CardTable<T>({
  rows,
  columns,
  rowKey,
  className,
  labels = true,
  empty,
  rowProps,
  "aria-label": ariaLabel,
}: {
  rows: readonly T[];
  columns: readonly (Column<T> | false)[];
  rowKey: (row: T) => string;
  /** More classes besides `table cards-on-phone`. */
  className?: string;
  /** Whether cells carry their column's label (a card names each value). */
  labels?: boolean;
  empty?: ReactNode;
  /** Data attributes of a row, for tests and live updates (`data-delivery`). */
  rowProps?: (row: T) => Record<`data-${string}`, string>;
  "aria-label"?: string;
}) {
  if (empty !== undefined && rows.length === 0) return <p className="empty">{empty}</p>;
  const shown = columns.filter((c): c is Column<T> => c !== false);
  const labelOf = (c: Column<T>) =>
    labels ? (c.label ?? (typeof c.head === "string" && c.head ? c.head : undefined)) : undefined;
  return (
    <table
      className={className ? `table cards-on-phone ${className}` : "table cards-on-phone"}
      aria-label={ariaLabel}
    >
      <thead>
        <tr>
          {shown.map((c, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed in order
            <th key={i}>{c.head}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} {...rowProps?.(row)}>
            {shown.map((c, i) => (
              <td
                // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed in order
                key={i}
                data-label={labelOf(c)}
                className={typeof c.className === "function" ? c.className(row) : c.className}
              >
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
