/**
 * The one text-table renderer of every command's output for people (plan, readiness, verify,
 * blast-radius, policy:check, drill, the benches' --help). Imports nothing, so any layer can use it.
 *
 * Each column is as wide as its widest cell (header included) or its `minWidth`. The last column is
 * not padded when it is left-aligned, so lines carry no trailing blanks a terminal would wrap on.
 */

export interface TableColumn {
  /** Right-aligns the column (counts, minutes). Defaults to `"left"`. */
  readonly align?: "left" | "right";
  /** The least width, for a column whose cells may all be short (a fixed-width bar). Defaults to `0`. */
  readonly minWidth?: number;
}

export interface TableOptions {
  /** Per column, by position; a column not given is left-aligned with no least width. Defaults to `[]`. */
  readonly columns?: readonly TableColumn[];
  /** Written before every line. Defaults to `""`. */
  readonly indent?: string;
  /** Between two columns. Defaults to two spaces. */
  readonly gap?: string;
  /** Drops trailing blanks (a last cell that is empty). Defaults to `false`. */
  readonly trimEnd?: boolean;
}

/** The rows as aligned lines, one per row (the header, if any, is just the first row). */
export function tableLines(rows: ReadonlyArray<readonly string[]>, options: TableOptions = {}): string[] {
  const { columns = [], indent = "", gap = "  ", trimEnd = false } = options;
  const count = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: count }, (_, c) =>
    Math.max(columns[c]?.minWidth ?? 0, ...rows.map((r) => r[c]?.length ?? 0)),
  );
  return rows.map((row) => {
    const cells = row.map((cell, c) => {
      if (columns[c]?.align === "right") return cell.padStart(widths[c]);
      return c === row.length - 1 ? cell : cell.padEnd(widths[c]);
    });
    const line = `${indent}${cells.join(gap)}`;
    return trimEnd ? line.trimEnd() : line;
  });
}
