/** A table of the employee page: named by its section's heading, scrolling sideways (by keyboard too) on a narrow window. */
import type { ReactNode } from 'react';
import { Table } from '@mantine/core';
import classes from './employee.module.css';
import { ColumnHeads, TableScroll } from '../../components/tables';

export function RecordTable({ labelledBy, columns, children }: { labelledBy: string; columns: readonly string[]; children: ReactNode }) {
  return (
    <TableScroll labelledBy={labelledBy}>
      <Table aria-labelledby={labelledBy} className={classes.table}>
        <ColumnHeads columns={columns} />
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </TableScroll>
  );
}
