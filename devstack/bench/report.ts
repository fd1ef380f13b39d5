/**
 * How `npm run bench` reports: one readable table of every figure against its target on stdout, and
 * the same figures with their raw data, the machine and the load average in a JSON file.
 */
import fs from 'node:fs';
import path from 'node:path';

export type Status = 'met' | 'MISSED' | 'info' | 'n/a';

export interface Figure {
  name: string;
  measured: string;
  target: string;
  status: Status;
  /** Why a figure is n/a, or what qualifies it. */
  note?: string;
  data?: unknown;
}

export const notMeasured = (name: string, target: string, error: unknown): Figure => ({
  name,
  measured: 'n/a',
  target,
  status: 'n/a',
  note: error instanceof Error ? error.message : String(error),
});

export function table(title: string, figures: Figure[]): string {
  const columns = ['figure', 'measured', 'target', 'result'];
  const rows = figures.map((f) => [f.name, f.measured, f.target, f.status]);
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  const notes = figures.filter((f) => f.note).map((f) => `  ${f.name}: ${f.note}`);
  return [`\n${title}`, line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ...(notes.length ? ['notes:', ...notes] : [])].join('\n') + '\n';
}

export function writeJson(file: string, content: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
}
