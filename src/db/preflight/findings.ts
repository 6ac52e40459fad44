/** One result of the preflight. `problem`s stop a run; `note`s do not. */
export type Finding =
  | { kind: 'server-version'; severity: 'problem'; found: string; required: string }
  | { kind: 'schema-missing'; severity: 'problem'; schema: string }
  | { kind: 'privilege'; severity: 'problem'; table: string | undefined; needed: string }
  | { kind: 'missing-table'; severity: 'problem'; table: string; suggestions: string[] }
  | { kind: 'not-a-table'; severity: 'problem'; table: string; found: string }
  | {
      kind: 'missing-column';
      severity: 'problem';
      table: string;
      column: string;
      suggestions: string[];
    }
  | {
      kind: 'type-mismatch';
      severity: 'problem';
      table: string;
      column: string;
      expected: string;
      found: string;
    }
  | { kind: 'not-partitioned'; severity: 'problem'; table: string }
  | { kind: 'output-missing'; severity: 'note'; table: string; partitions: number }
  | { kind: 'partitions-missing'; severity: 'note'; table: string; partitions: string[] }
  | { kind: 'slow-setting'; severity: 'note'; setting: string; value: string; advice: string };

/** True when nothing in `findings` stops a run. */
export function isRunnable(findings: readonly Finding[]): boolean {
  return findings.every((f) => f.severity !== 'problem');
}

/** One line of the human report for a finding. */
export function describeFinding(f: Finding): string {
  const hint = (s: string[]) =>
    s.length ? ` (did you mean ${s.map((x) => `"${x}"`).join(', ')}?)` : '';
  switch (f.kind) {
    case 'server-version':
      return `PostgreSQL ${f.found} is too old: ${f.required} or newer is needed`;
    case 'schema-missing':
      return `schema "${f.schema}" does not exist`;
    case 'privilege':
      return f.table
        ? `missing privilege ${f.needed} on ${f.table}`
        : `missing privilege ${f.needed}`;
    case 'missing-table':
      return `missing table ${f.table}${hint(f.suggestions)}`;
    case 'not-a-table':
      return `${f.table} is a ${f.found}, not a table`;
    case 'missing-column':
      return `missing column ${f.table}.${f.column}${hint(f.suggestions)}`;
    case 'type-mismatch':
      return `column ${f.table}.${f.column} has type ${f.found}; expected ${f.expected}`;
    case 'not-partitioned':
      return `output table ${f.table} exists but is not partitioned by month`;
    case 'output-missing':
      return `output table ${f.table} does not exist yet (init-db creates it with its ${f.partitions} monthly partitions; a run creates it and the partition of each month that has data)`;
    case 'partitions-missing': {
      const shown = f.partitions.slice(0, 3).join(', ');
      const more = f.partitions.length > 3 ? ` and ${f.partitions.length - 3} more` : '';
      return `${f.table}: ${f.partitions.length} partitions missing (${shown}${more}); init-db creates them, a run creates those of months with data`;
    }
    case 'slow-setting':
      return `server setting ${f.setting} = ${f.value} slows a run: ${f.advice}`;
  }
}
