/** A table of the employee page: named by its section's heading, scrolling sideways on a narrow window. */
import type { ReactNode } from 'react';
import { Table } from '@mantine/core';
import classes from './employee.module.css';

export function RecordTable({ labelledBy, columns, children }: { labelledBy: string; columns: readonly string[]; children: ReactNode }) {
  return (
    <div className="table-scroll">
      <Table aria-labelledby={labelledBy} className={classes.table}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((c) => (
              <Table.Th key={c} scope="col">
                {c}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </div>
  );
}
