/**
 * The bench report's tables and how it writes numbers: a section is a table with a title and
 * notes; times and ratios are rounded to three significant digits or so.
 *
 * @module
 */

/** One table of the report: a title, a header, rows and notes under it. */
export interface Section {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly notes: readonly string[];
}

/** A Markdown table. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Microseconds, to about three digits. */
export function microseconds(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** Milliseconds, to about three digits. */
export function milliseconds(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** A ratio, as `1.23×` or `15×`. */
export function ratio(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(2)}×`;
}

/** A relative spread as a percentage. */
export function spread(value: number): string {
  return Number.isFinite(value) ? `${(100 * value).toFixed(0)} %` : "";
}
