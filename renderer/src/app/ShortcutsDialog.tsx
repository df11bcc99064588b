/** The list of keyboard shortcuts, on `?` or from the header. */
import { memo } from 'react';
import { Group, Kbd, Modal, Table, Text } from '@mantine/core';
import type { DeskRole } from '../../../shared/domain';
import { can } from '../../../shared/policy';
import { ColumnHeads } from '../components/tables';

export const ShortcutsDialog = memo(function ShortcutsDialog({ opened, onClose, role, newTicket }: { opened: boolean; onClose: () => void; role: DeskRole; newTicket: string }) {
  const mod = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';
  const rows: Array<[keys: string[], what: string]> = [
    [[`${mod}+K`], 'Search employees, from anywhere'],
    ...(can(role, 'callers.help') ? ([[[newTicket], 'New ticket, from anywhere']] as Array<[string[], string]>) : []),
    [['?'], 'This list of shortcuts'],
    [['↑', '↓'], 'Move through search results and lists'],
    [['Enter'], 'Open the row or run the focused action'],
    [['Esc'], 'Close a dialog; from an employee page, back to the search'],
    [['Tab'], 'Next control (Shift+Tab: the one before)'],
  ];
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={650}>Keyboard shortcuts</Text>} size="md" closeButtonProps={{ 'aria-label': 'Close' }}>
      <Table verticalSpacing={8} aria-label="Keyboard shortcuts">
        <ColumnHeads columns={['Keys', 'What they do']} />
        <Table.Tbody>
          {rows.map(([keys, what]) => (
            <Table.Tr key={what}>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  {keys.map((k) => (
                    <Kbd key={k}>{k}</Kbd>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>{what}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
});
