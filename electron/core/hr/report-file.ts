import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { DeskError } from '../../../shared/errors';
import { csvLine } from './csv';

/** The report's name next to the input: hr.csv -> hr.report.csv. */
export function defaultReportFile(file: string): string {
  const dir = path.dirname(file);
  const base = path.basename(file).replace(/\.csv$/i, '');
  return path.join(dir, `${base}.report.csv`);
}

export interface ReportLine {
  line: number;
  number: string;
  outcome: 'rejected' | 'conflict';
  reason: string;
}

/** The line-numbered report of rejected rows and conflicts, a CSV file written as the import goes. */
export class Report {
  /** Lines written, the header row left out. */
  lines = 0;
  private constructor(private readonly stream: fs.WriteStream) {}

  static async open(file: string): Promise<Report> {
    // Rejected rows name employees: 0600, in the data folder's imports/ and wherever the CLI puts it.
    const stream = fs.createWriteStream(file, { flags: 'w', encoding: 'utf8', mode: 0o600 });
    try {
      await once(stream, 'open');
    } catch (err) {
      throw new DeskError('VALIDATION', `Cannot write the report to ${file}: ${(err as Error).message}`);
    }
    const report = new Report(stream);
    await report.put(['line', 'employee_number', 'outcome', 'reason']);
    return report;
  }

  /** A batch's lines, in line order. */
  async write(lines: readonly ReportLine[]): Promise<void> {
    for (const l of [...lines].sort((a, b) => a.line - b.line)) {
      await this.put([l.line, l.number, l.outcome, l.reason]);
      this.lines++;
    }
  }

  private async put(values: Array<string | number>): Promise<void> {
    if (!this.stream.write(csvLine(values))) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
