/**
 * One employee (#/employees/:id, and #/employees/:id/ticket/:ref from a manager's task), from one
 * `employees.page` round trip: whether they can register, the record, the emails on record (which
 * managers and admins change here), their factors and factor history; beside them what the agent
 * does for the caller, the latest one-time codes with a live countdown on the main process's
 * clock, the mail log and the audit trail (older events a page at a time). Escape goes back to
 * the search (not while a dialog or the emails form is open).
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Alert, Button, Group, Text } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import type { EmployeePageData, EmployeeSummary } from '../../../../shared/domain';
import { can } from '../../../../shared/policy';
import { routes } from '../../app/routes';
import { useShell } from '../../app/shell-context';
import { EmployeeStatusBadge, LockedBadge, MfaBadge } from '../../components/badges';
import { Loading, PageHeader } from '../../components/ui';
import { errorText } from '../../lib/feedback';
import { channelKey, useChannel } from '../../lib/query';
import { useDesk } from '../../lib/session';
import { useServerNow } from '../../lib/useServerNow';
import { CallerActions } from '../caller/CallerActions';
import { AuditTrail } from './AuditTrail';
import { EmailsOnRecord } from './EmailsOnRecord';
import { CodesSection, EligibilityPanel, FactorsSection, MailLog, RecordFacts, Section } from './sections';
import { SignInChecks } from './SignInChecks';
import classes from './employee.module.css';

/** The page's sections, in reading order: the left column, then the right one. */
const SECTIONS = [
  ['eligibility', 'Eligibility'],
  ['record', 'Record'],
  ['emails', 'Emails on record'],
  ['factors', 'Factors'],
  ['sign-ins', 'Sign-in checks'],
  ['actions', 'Help this caller'],
  ['codes', 'One-time codes'],
  ['mail-log', 'Mail log'],
  ['audit', 'Audit trail'],
] as const;

export function EmployeePage({ employeeId, ticketRef }: { employeeId: number; ticketRef?: string }) {
  const { session } = useDesk();
  const shell = useShell();
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const input = useMemo(() => ({ employeeId }), [employeeId]);
  // Every visit asks again (the record may have changed since); what is cached shows meanwhile.
  const pageQuery = useChannel('employees.page', input, { staleTime: 0 });
  const page = pageQuery.data;

  // What the look-up knew on arrival, so the heading shows at once (the page is keyed by employee).
  const [fromSearch] = useState<EmployeeSummary | null>(() => shell.search.results?.rows.find((r) => r.id === employeeId) ?? null);
  const known: EmployeeSummary | null = page?.employee ?? fromSearch;
  const fullName = known ? `${known.firstName} ${known.lastName}` : 'Employee';

  const onChanged = useCallback(async () => {
    await queryClient.invalidateQueries({ queryKey: channelKey('employees.page', input) });
  }, [queryClient, input]);

  // Escape: back to the search, unless a dialog or the emails form has it.
  const editing = useRef(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || editing.current) return;
      if (document.querySelector('[role="dialog"], [role="alertdialog"], [role="menu"], [role="listbox"]')) return;
      e.preventDefault();
      navigate(routes.search);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [navigate]);

  return (
    <div className="screen">
      <PageHeader title={fullName} back={{ to: routes.search, label: 'Back to search' }} />
      {known ? <HeaderFacts employee={known} /> : null}
      {ticketRef && page && can(session.role, 'records.correct') ? (
        <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} aria-hidden="true" />} mb="sm">
          From the task on ticket {ticketRef}: correct the emails on record below; the form starts with that reference.
          <Button size="compact-sm" variant="subtle" ml="xs" onClick={() => jumpTo('emails')}>
            Go to Emails on record
          </Button>
        </Alert>
      ) : null}
      {pageQuery.isPending ? (
        <Loading size="sm" my="md">Loading the employee’s record…</Loading>
      ) : null}
      {pageQuery.isError && !page ? (
        <Alert color="red" title="The employee’s record could not be loaded" role="alert" my="md">
          <Text size="sm" mb="xs">
            {errorText(pageQuery.error)}
          </Text>
          <Button size="xs" variant="default" onClick={() => void pageQuery.refetch()} loading={pageQuery.isFetching}>
            Try again
          </Button>
        </Alert>
      ) : null}
      {page ? (
        <EmployeeSections
          page={page}
          onChanged={onChanged}
          ticketRef={ticketRef}
          onEditing={(v) => {
            editing.current = v;
          }}
          actions={<CallerActions page={page} onChanged={async () => onChanged()} {...(ticketRef ? { initialTicketRef: ticketRef } : {})} />}
        />
      ) : null}
    </div>
  );
}

function HeaderFacts({ employee: e }: { employee: EmployeeSummary }) {
  return (
    <dl className={classes.headerFacts}>
      <div>
        <dt>Employee number</dt>
        <dd>{e.employeeNumber}</dd>
      </div>
      <div>
        <dt>Organisation</dt>
        <dd>{e.organisation}</dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd>
          <EmployeeStatusBadge status={e.status} />
        </dd>
      </div>
      <div>
        <dt>MFA</dt>
        <dd>
          <Group gap={4} wrap="nowrap">
            <MfaBadge state={e.mfaState} />
            {e.locked ? <LockedBadge /> : null}
          </Group>
        </dd>
      </div>
    </dl>
  );
}

/** Move to a section: its heading takes the focus, at the top of the window. */
function jumpTo(id: string) {
  const heading = document.getElementById(`${id}-heading`);
  if (!heading) return;
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
  heading.closest('section')?.scrollIntoView({ block: 'start' });
}

function EmployeeSections({
  page,
  onChanged,
  ticketRef,
  onEditing,
  actions,
}: {
  page: EmployeePageData;
  onChanged: () => Promise<void>;
  ticketRef: string | undefined;
  onEditing: (editing: boolean) => void;
  actions: ReactNode;
}) {
  const { session } = useDesk();
  const e = page.employee;
  // Every 30 seconds is enough for "12 min ago"; the codes count down on their own.
  const now = useServerNow(page.serverTime, true, 30_000);

  return (
    <>
      <nav aria-label="Sections of this page" className={classes.sectionNav}>
        {SECTIONS.map(([id, title]) => (
          <button key={id} type="button" className={classes.sectionLink} onClick={() => jumpTo(id)}>
            {title}
          </button>
        ))}
      </nav>
      <div className={classes.columns}>
        <div className={classes.column}>
          <Section id="eligibility" title="Eligibility">
            <EligibilityPanel page={page} />
          </Section>
          <Section id="record" title="Record">
            <RecordFacts employee={e} />
          </Section>
          <Section id="emails" title="Emails on record">
            <EmailsOnRecord
              role={session.role}
              page={page}
              headingId="emails-heading"
              onChanged={onChanged}
              initialTicketRef={ticketRef}
              onEditing={onEditing}
            />
          </Section>
          <Section id="factors" title="Factors">
            <FactorsSection employee={e} now={now} />
          </Section>
          <Section id="sign-ins" title="Sign-in checks">
            <SignInChecks checks={page.signIns} more={page.signInsMore} headingId="sign-ins-heading" now={now} />
          </Section>
        </div>
        <div className={classes.column}>
          <Section id="actions" title="Help this caller">
            <div className={classes.legacy}>{actions}</div>
          </Section>
          <Section id="codes" title="One-time codes">
            <CodesSection codes={page.codes} serverTime={page.serverTime} headingId="codes-heading" />
          </Section>
          <Section id="mail-log" title="Mail log">
            <MailLog mails={page.mails} more={page.mailsMore} headingId="mail-log-heading" now={now} />
          </Section>
          <Section id="audit" title="Audit trail">
            <AuditTrail key={page.audit.rows[0]?.id ?? 0} employeeId={e.id} first={page.audit} headingId="audit-heading" now={now} />
          </Section>
        </div>
      </div>
    </>
  );
}
