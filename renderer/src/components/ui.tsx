/**
 * Small building blocks every screen shares, on Mantine: the page heading, label/value facts, an
 * email address that breaks only at its dots and @, a dash read out as "None", a live time, an
 * empty result in a sentence, a loading line, and long text with a way to read all of it.
 */
import { Fragment, useEffect, useRef, type ReactNode } from 'react';
import { Anchor, Box, DataList, EmptyState as MantineEmptyState, Group, Loader, Spoiler, Text, Title, Tooltip, type GroupProps } from '@mantine/core';
import { Link } from 'wouter';
import { IconArrowLeft } from '@tabler/icons-react';
import { maskEmail } from '../../../shared/masking';
import { formatDateTime, formatRelative } from '../format';

/** Keep the window title in step with the screen, so people (and screen readers) know where they are. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} – MFA Desk` : 'MFA Desk';
  }, [title]);
}

/**
 * A screen's heading (h1, which takes the focus when the screen opens so a screen reader starts
 * there), an optional line under it, a link back and actions on the right.
 */
export function PageHeader({
  title,
  description,
  back,
  actions,
  focusOnMount = true,
}: {
  title: ReactNode;
  description?: ReactNode;
  back?: { to: string; label: string };
  actions?: ReactNode;
  focusOnMount?: boolean;
}) {
  useDocumentTitle(typeof title === 'string' ? title : '');
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusOnMount) ref.current?.focus({ preventScroll: true });
  }, [focusOnMount]);
  return (
    <Box mb="md">
      {back ? (
        <Anchor component={Link} href={back.to} size="sm" fw={500} className="back-link">
          <IconArrowLeft size={14} aria-hidden="true" /> {back.label}
        </Anchor>
      ) : null}
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="md">
        <Box miw={0}>
          <Title order={1} ref={ref} tabIndex={-1} className="page-title">
            {title}
          </Title>
          {description ? (
            <Text c="dimmed" size="sm" mt={4}>
              {description}
            </Text>
          ) : null}
        </Box>
        {actions ? (
          <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
            {actions}
          </Group>
        ) : null}
      </Group>
    </Box>
  );
}

/** Label/value pairs as a definition list, each label beside (or above) its own value. */
export function Facts({
  items,
  labelWidth = 130,
  orientation = 'horizontal',
  size = 'sm',
  ...rest
}: {
  items: ReadonlyArray<readonly [label: string, value: ReactNode] | null | false>;
  labelWidth?: number | string;
  orientation?: 'horizontal' | 'vertical';
  size?: 'xs' | 'sm' | 'md';
  'aria-label'?: string;
  'data-testid'?: string;
}) {
  return (
    <DataList size={size} gap={6} labelWidth={labelWidth} orientation={orientation} {...rest}>
      {items.map((item) =>
        item ? (
          <DataList.Item key={item[0]}>
            <DataList.ItemLabel c="dimmed">{item[0]}</DataList.ItemLabel>
            <DataList.ItemValue className="fact-value">{item[1]}</DataList.ItemValue>
          </DataList.Item>
        ) : null,
      )}
    </DataList>
  );
}

/** A visible dash for "nothing here", read out as "None" (or the label given). */
export function None({ label = 'None' }: { label?: string }) {
  return (
    <>
      <span aria-hidden="true" className="none-dash">
        —
      </span>
      <span className="visually-hidden">{label}</span>
    </>
  );
}

/**
 * An email address that wraps only after its @ and before its dots, never in the middle of a word.
 * `masked` shows j•••@nhs.net (for screens the caller might see).
 */
export function Address({ address, masked = false }: { address: string; masked?: boolean }) {
  const shown = masked ? maskAddress(address) : address;
  const at = shown.lastIndexOf('@');
  const parts: ReactNode[] = [];
  const pieces = at < 0 ? [shown] : [shown.slice(0, at + 1), shown.slice(at + 1)];
  pieces.forEach((piece, i) => {
    const dotted = piece.split(/(?=\.)/);
    dotted.forEach((d, j) => {
      parts.push(
        <Fragment key={`${i}-${j}`}>
          {i + j > 0 ? <wbr /> : null}
          {d}
        </Fragment>,
      );
    });
  });
  return (
    <span className="address" title={masked ? undefined : address}>
      {parts}
    </span>
  );
}

/** j•••@nhs.net: the first letter of the mailbox and the whole domain. */
export const maskAddress = maskEmail;

/** "12 min ago", with the exact UK date and time on hover and for screen readers. */
export function RelativeTime({ iso, now }: { iso: string; now: Date }) {
  const exact = formatDateTime(iso);
  const relative = formatRelative(iso, now);
  if (relative === exact) return <time dateTime={iso}>{exact}</time>;
  return (
    <Tooltip label={exact} events={{ hover: true, focus: false, touch: false }}>
      <time dateTime={iso} data-live-time="">
        {relative}
        <span className="visually-hidden"> ({exact})</span>
      </time>
    </Tooltip>
  );
}

/** An exact UK date and time. */
export function DateTime({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}

/** An empty result said in a sentence, with the next step. */
export function Empty({ title, children, icon, action }: { title: string; children?: ReactNode; icon?: ReactNode; action?: ReactNode }) {
  return (
    <MantineEmptyState size="sm" align="left" title={title} description={children} icon={icon} py="md">
      {action ? <MantineEmptyState.Actions>{action}</MantineEmptyState.Actions> : null}
    </MantineEmptyState>
  );
}

/** Something is on its way: a spinner and what it is, as a status. */
export function Loading({ children, size, ...group }: { children: ReactNode; size?: 'sm' } & Omit<GroupProps, 'children'>) {
  return (
    <Group gap="xs" role="status" {...group}>
      <Loader size="sm" aria-hidden="true" />
      <Text size={size}>{children}</Text>
    </Group>
  );
}

/** Long free text (a note, a reason): wraps, and past a few lines folds with "Show all". */
export function LongText({ children, maxHeight = 96 }: { children: string; maxHeight?: number }) {
  return (
    <Spoiler maxHeight={maxHeight} showLabel="Show all" hideLabel="Show less" className="long-text">
      <Text size="sm" className="prewrap">
        {children}
      </Text>
    </Spoiler>
  );
}

/** A panel's heading row: the heading and, on the right, what can be done there. */
export function SectionTitle({ id, children, right, order = 2 }: { id?: string; children: ReactNode; right?: ReactNode; order?: 2 | 3 | 4 }) {
  return (
    <Group justify="space-between" align="center" mb="xs" wrap="nowrap" gap="sm">
      <Title order={order} id={id} fz={order === 2 ? 'md' : 'sm'}>
        {children}
      </Title>
      {right ?? null}
    </Group>
  );
}
