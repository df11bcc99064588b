/** The header row of a plain table, and the box that lets a wide table scroll sideways. */
import { useEffect, useRef, useState, type ReactNode } from 'react';
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

/**
 * A table's box that scrolls sideways when the table is wider than the column (a long address at
 * 1024 px). Only while it scrolls is it a named, focusable region, so the keyboard can scroll it
 * too; otherwise it is no tab stop.
 */
export function TableScroll({ labelledBy, children }: { labelledBy: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    const check = () => setScrolls(box.scrollWidth > box.clientWidth + 1);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(box);
    if (box.firstElementChild) observer.observe(box.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <div ref={ref} className="table-scroll" {...(scrolls ? { tabIndex: 0, role: 'region', 'aria-labelledby': labelledBy } : {})}>
      {children}
    </div>
  );
}
