/** The header row of a plain table: one column header per name (or label, with a set width). */
import type { ReactNode } from 'react';
import { Table } from '@mantine/core';

export type Column = string | { key: string; label: ReactNode; w?: number };

export function ColumnHeads({ columns }: { columns: readonly Column[] }) {
  return (
    <Table.Thead>
      <Table.Tr>
        {columns.map((c) =>
          typeof c === 'string' ? (
            <Table.Th key={c} scope="col">
              {c}
            </Table.Th>
          ) : (
            <Table.Th key={c.key} scope="col" w={c.w}>
              {c.label}
            </Table.Th>
          ),
        )}
      </Table.Tr>
    </Table.Thead>
  );
}
