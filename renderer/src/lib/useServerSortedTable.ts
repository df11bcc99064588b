/**
 * A table whose rows the main process sorts: sorting is a feature of the table (headers,
 * aria-sort, toggling) but manual, one column at a time and never removed, and there is no sorted
 * row model, so the rows are laid out in the order they arrive.
 */
import { rowSortingFeature, tableFeatures, useTable, type ColumnDef, type RowData, type SortingState, type Updater } from '@tanstack/react-table';

export const sortingFeatures = tableFeatures({ rowSortingFeature });

export function useServerSortedTable<T extends RowData>(options: {
  columns: ColumnDef<typeof sortingFeatures, T>[];
  data: T[];
  getRowId: (row: T) => string;
  sorting: SortingState;
  onSortingChange: (updater: Updater<SortingState>) => void;
  sortDescFirst?: boolean;
}) {
  const { sorting, ...rest } = options;
  return useTable({ features: sortingFeatures, ...rest, manualSorting: true, enableMultiSort: false, enableSortingRemoval: false, state: { sorting } });
}
