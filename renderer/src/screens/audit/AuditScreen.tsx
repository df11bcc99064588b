/**
 * Audit, for supervisors and admins: the dashboard over a period, the audit events (filtered,
 * sorted, paged, exported) and the integrity of the trail — one tab each, each at its own address
 * (#/audit/dashboard, #/audit/events, #/audit/integrity) so Back, Forward and reload land there.
 * A tab keeps what was on it (filter, results, a running export) while another is looked at.
 */
import '@mantine/charts/styles.css';
import { useRef } from 'react';
import { Tabs } from '@mantine/core';
import { IconChartBar, IconList, IconShieldCheck } from '@tabler/icons-react';
import { useLocation } from 'wouter';
import { routes } from '../../app/routes';
import { PageHeader, useDocumentTitle } from '../../components/ui';
import { DashboardTab } from './DashboardTab';
import { EventsTab } from './EventsTab';
import { IntegrityTab } from './IntegrityTab';
import { useAuditExport } from './useAuditExport';
import classes from './Audit.module.css';

export type AuditTab = 'dashboard' | 'events' | 'integrity';

const TABS: ReadonlyArray<{ value: AuditTab; label: string; icon: typeof IconChartBar }> = [
  { value: 'dashboard', label: 'Dashboard', icon: IconChartBar },
  { value: 'events', label: 'Events', icon: IconList },
  { value: 'integrity', label: 'Integrity', icon: IconShieldCheck },
];

/**
 * Each tab is a link to its address (Tabs.Tab renders Mantine's polymorphic UnstyledButton, which
 * takes `component`): it can be opened in a new window or copied like any link.
 */
function linkTo(path: string): object {
  return { component: 'a', href: `#${path}` };
}

export function AuditScreen({ tab }: { tab: AuditTab }) {
  const [, navigate] = useLocation();
  const openedElsewhere = useRef(false);
  // The export lives above the tabs: it keeps going (and says when it is done) on any tab.
  const exporter = useAuditExport();
  const label = TABS.find((t) => t.value === tab)?.label ?? 'Dashboard';
  useDocumentTitle(`Audit: ${label}`);

  return (
    <div className="screen">
      <PageHeader title="Audit" description="What the desk recorded, who did it, and proof that nobody changed the record since." />
      <Tabs
        value={tab}
        onChange={(value) => {
          // A click with Ctrl, Cmd or Shift opens the tab's address elsewhere and leaves this one be.
          if (openedElsewhere.current) return;
          if (value && value !== tab) navigate(routes.auditTab(value as AuditTab));
        }}
        keepMounted
        className={classes.tabs}
      >
        <Tabs.List aria-label="Audit">
          {TABS.map((t) => (
            <Tabs.Tab
              key={t.value}
              value={t.value}
              leftSection={<t.icon size={16} aria-hidden="true" />}
              {...linkTo(routes.auditTab(t.value))}
              onClickCapture={(e) => {
                openedElsewhere.current = e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || e.button !== 0;
              }}
              onClick={(e) => {
                // The tab was switched (and the address pushed) already: the link need not navigate too.
                if (!openedElsewhere.current) e.preventDefault();
                openedElsewhere.current = false;
              }}
            >
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="dashboard" pt="md">
          <DashboardTab />
        </Tabs.Panel>
        <Tabs.Panel value="events" pt="md">
          <EventsTab exporter={exporter} />
        </Tabs.Panel>
        <Tabs.Panel value="integrity" pt="md">
          <IntegrityTab />
        </Tabs.Panel>
      </Tabs>
    </div>
  );
}
