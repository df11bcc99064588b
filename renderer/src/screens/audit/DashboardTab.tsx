/**
 * The supervisors' dashboard over a period (the last 30 days, UK time, to start with): actions per
 * day, one-time codes by outcome, re-registrations by reason, mail failures, the busiest actors,
 * and the webchat tickets of the period with their CSV. Counted in the main process, drawn as bars
 * with @mantine/charts; each chart says its numbers in a sentence too.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert, Box, Button, Group, Loader, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { BarChart, type BarChartSeries } from '@mantine/charts';
import { keepPreviousData } from '@tanstack/react-query';
import { IconAlertTriangle, IconDownload } from '@tabler/icons-react';
import { TICKET_CATEGORY_LABELS, TICKET_STATUS_LABELS, type AuditDashboard, type TicketReport } from '../../../../shared/domain';
import { FACTOR_TYPE_LABELS, formatMinutes, formatNumber, plural } from '../../format';
import { errorText, notify } from '../../lib/feedback';
import { fieldErrorsOf, focusFirstInvalid } from '../../lib/forms';
import { useChannel, useChannelMutation } from '../../lib/query';
import { useDeskNow } from '../../lib/session';
import { Empty } from '../../components/ui';
import { dayLong, dayText, dayTick, lastDays } from './dates';
import { saveFile } from './save-file';
import { UkDateInput } from './UkDateInput';
import classes from './Audit.module.css';

type Period = { from: string; to: string };
type PeriodForm = { from: string | null; to: string | null };

const STATE_LABELS: Record<string, string> = {
  active: 'was working (new or lost phone, changed address)',
  locked: 'was locked',
  pending: 'registration unfinished',
};

const count = (n: number) => formatNumber(n);

export function DashboardTab() {
  // The last 30 days by the desk's clock, as the counts are kept.
  const deskNow = useDeskNow();
  const [initial] = useState(() => lastDays(30, deskNow.getTime()));
  const [period, setPeriod] = useState<Period>(initial);
  const formRef = useRef<HTMLFormElement>(null);
  const form = useForm<PeriodForm>({
    mode: 'controlled',
    initialValues: initial,
    validate: {
      from: (v) => (v ? null : 'Enter the first day, as DD/MM/YYYY'),
      to: (v) => (v ? null : 'Enter the last day, as DD/MM/YYYY'),
    },
  });

  const query = useChannel('audit.dashboard', period, { placeholderData: keepPreviousData });
  const problems = query.isError ? fieldErrorsOf(query.error, ['from', 'to']) : null;
  const periodShown = form.values.from === period.from && form.values.to === period.to;
  const fieldError = (name: 'from' | 'to') => form.errors[name] ?? (periodShown ? problems?.fields[name] : undefined);
  const invalidPeriod = problems !== null && Object.keys(problems.fields).length > 0;

  // The main process refused the period: the field it names takes the focus, its message under it.
  useEffect(() => {
    if (invalidPeriod) focusFirstInvalid(formRef.current ?? document);
  }, [invalidPeriod, query.errorUpdatedAt]);

  const show = form.onSubmit((values) => {
    const next = { from: values.from!, to: values.to! };
    if (next.from === period.from && next.to === period.to) void query.refetch();
    else setPeriod(next);
  });

  const data = query.isError ? null : (query.data ?? null);
  const dimmed = query.isFetching && query.isPlaceholderData;

  return (
    <Stack gap="md">
      <Paper p="sm">
        <form ref={formRef} aria-label="Dashboard period" onSubmit={show} noValidate>
          <Group align="flex-start" gap="sm" wrap="wrap">
            <UkDateInput
              {...form.getInputProps('from')}
              error={fieldError('from')}
              label="From"
              w={160}
            />
            <UkDateInput
              {...form.getInputProps('to')}
              error={fieldError('to')}
              label="To"
              w={160}
            />
            <Button type="submit" mt={25} loading={query.isFetching && !query.isError} loaderProps={{ type: 'dots' }}>
              Show period
            </Button>
            <Text size="sm" c="dimmed" mt={31} className={classes.periodNote}>
              {data ? `${dayText(data.from)} to ${dayText(data.to)}, both days included.` : ' '}
            </Text>
          </Group>
        </form>
      </Paper>

      {query.isError ? (
        invalidPeriod ? (
          <Text size="sm" c="dimmed">
            The dashboard shows once the period above is right.
          </Text>
        ) : (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} aria-hidden="true" />} title="The dashboard could not be counted">
            {errorText(query.error)} <Button variant="subtle" size="compact-sm" onClick={() => void query.refetch()}>Try again</Button>
          </Alert>
        )
      ) : data ? (
        <Box className={dimmed ? classes.dimmed : undefined} aria-busy={dimmed || undefined}>
          <Charts data={data} />
          <TicketsReport report={data.tickets} period={{ from: data.from, to: data.to }} />
        </Box>
      ) : (
        <Group gap="xs" role="status">
          <Loader size="sm" type="dots" aria-hidden="true" />
          <Text size="sm">Counting…</Text>
        </Group>
      )}
    </Stack>
  );
}

/** A chart with its title and its numbers in a sentence; an empty series is a sentence, not an empty grid. */
function ChartFigure({ title, summary, empty, children }: { title: string; summary: string; empty: string | null; children: ReactNode }) {
  return (
    <Paper component="figure" aria-label={title} m={0} p="sm" className={classes.figure}>
      <figcaption className={classes.figcaption}>
        <Title order={2} fz="sm">
          {title}
        </Title>
        {empty ? null : (
          <Text size="sm" c="dimmed">
            {summary}
          </Text>
        )}
      </figcaption>
      {empty ? (
        <Text size="sm" className={classes.emptyChart}>
          {empty}
        </Text>
      ) : (
        children
      )}
    </Paper>
  );
}

const AXIS_TEXT = 'gray.7';

function busiest(days: ReadonlyArray<{ day: string; count: number }>): string {
  const top = days.reduce<{ day: string; count: number } | null>((best, d) => (d.count > (best?.count ?? 0) ? d : best), null);
  return top ? `the busiest day was ${dayText(top.day)} with ${count(top.count)}` : '';
}

/** Several series stack, with their legend above the bars in the series' order. */
const STACKED = { type: 'stacked', withLegend: true, legendProps: { verticalAlign: 'top', height: 34, itemSorter: null } } as const;

/**
 * Bars for a per-day series of the period: short days along the bottom and the whole day in the
 * tooltip, whole numbers up the side, bars thinner on a long period. Several series are stacked,
 * with a legend.
 */
function DailyBars({ data, series }: { data: Array<{ day: string }>; series: BarChartSeries[] }) {
  return (
    <BarChart
      h={210}
      data={data}
      dataKey="day"
      {...(series.length > 1 ? STACKED : null)}
      series={series}
      valueFormatter={count}
      yAxisProps={{ allowDecimals: false, width: 44 }}
      maxBarWidth={data.length > 120 ? 6 : 28}
      textColor={AXIS_TEXT}
      xAxisProps={{ tickFormatter: dayTick, minTickGap: 12 }}
      tooltipProps={{ labelFormatter: (label: unknown) => dayLong(String(label)) }}
    />
  );
}

function Charts({ data }: { data: AuditDashboard }) {
  const codeTotals = data.codesPerDay.reduce(
    (t, d) => ({ redeemed: t.redeemed + d.redeemed, expired: t.expired + d.expired, open: t.open + d.open }),
    { redeemed: 0, expired: 0, open: 0 },
  );
  const reasons = data.reRegistrations.map((r) => ({
    reason: `${FACTOR_TYPE_LABELS[r.factorType as keyof typeof FACTOR_TYPE_LABELS] ?? r.factorType}, ${STATE_LABELS[r.removedState] ?? r.removedState}`,
    count: r.count,
  }));
  const reRegistered = reasons.reduce((n, r) => n + r.count, 0);
  const failedDays = data.mailFailuresPerDay.filter((d) => d.count > 0);
  const signIns = data.signInsPerDay.reduce(
    (t, d) => ({ accepted: t.accepted + d.accepted, wrong: t.wrong + d.wrong, locked: t.locked + d.locked }),
    { accepted: 0, wrong: 0, locked: 0 },
  );

  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" verticalSpacing="md">
      <ChartFigure
        title="Actions per day"
        summary={`${count(data.totals.events)} in all${data.totals.events > 0 ? `; ${busiest(data.actionsPerDay)}` : ''}.`}
        empty={data.totals.events === 0 ? 'Nothing was recorded in this period.' : null}
      >
        <DailyBars data={data.actionsPerDay} series={[{ name: 'count', label: 'Actions', color: 'blue.7' }]} />
      </ChartFigure>

      <ChartFigure
        title="One-time codes by the day they were issued"
        summary={`${count(data.totals.codesIssued)} issued: ${count(codeTotals.redeemed)} redeemed, ${count(codeTotals.expired)} expired unused, ${count(codeTotals.open)} open or replaced.`}
        empty={data.totals.codesIssued === 0 ? 'No one-time codes were issued in this period.' : null}
      >
        <DailyBars
          data={data.codesPerDay}
          series={[
            { name: 'redeemed', label: 'Redeemed', color: 'green.7' },
            { name: 'expired', label: 'Expired unused', color: 'red.7' },
            { name: 'open', label: 'Open or replaced', color: 'gray.6' },
          ]}
        />
      </ChartFigure>

      <ChartFigure
        title="Re-registrations by reason"
        summary={`${plural(reRegistered, 're-registration', 're-registrations')}: ${reasons.map((r) => `${r.reason}, ${count(r.count)}`).join('; ')}.`}
        empty={reasons.length === 0 ? 'No re-registrations in this period.' : null}
      >
        <BarChart
          h={Math.max(120, 50 + reasons.length * 34)}
          data={reasons}
          dataKey="reason"
          orientation="vertical"
          series={[{ name: 'count', label: 'Re-registrations', color: 'blue.8' }]}
          valueFormatter={count}
          xAxisProps={{ allowDecimals: false }}
          yAxisProps={{ width: 230 }}
          gridAxis="y"
          maxBarWidth={22}
          textColor={AXIS_TEXT}
        />
      </ChartFigure>

      <ChartFigure
        title="Mail failures per day"
        summary={`${plural(data.totals.mailFailures, 'mail', 'mails')} given up on, on ${plural(failedDays.length, 'day', 'days')}${failedDays.length > 0 ? `; ${busiest(data.mailFailuresPerDay)}` : ''}.`}
        empty={data.totals.mailFailures === 0 ? 'No mail was given up on in this period.' : null}
      >
        <DailyBars data={data.mailFailuresPerDay} series={[{ name: 'count', label: 'Mails given up on', color: 'red.7' }]} />
      </ChartFigure>

      <ChartFigure
        title="Sign-in checks through the portal"
        summary={`${count(data.totals.signIns)} in all: ${count(signIns.accepted)} accepted, ${count(signIns.wrong)} wrong code, ${count(signIns.locked)} locked.`}
        empty={data.totals.signIns === 0 ? 'The portal checked no sign-in in this period.' : null}
      >
        <DailyBars
          data={data.signInsPerDay}
          series={[
            { name: 'accepted', label: 'Accepted', color: 'green.7' },
            { name: 'wrong', label: 'Wrong code', color: 'yellow.8' },
            { name: 'locked', label: 'Locked', color: 'red.7' },
          ]}
        />
      </ChartFigure>

      <ChartFigure
        title="Actions per actor"
        summary={`Most active: ${data.actionsPerActor
          .slice(0, 5)
          .map((a) => `${a.actor}, ${count(a.count)}`)
          .join('; ')}${data.actionsPerActor.length > 5 ? `; and ${plural(data.actionsPerActor.length - 5, 'other', 'others')}` : ''}.`}
        empty={data.actionsPerActor.length === 0 ? 'Nobody acted in this period.' : null}
      >
        <BarChart
          h={Math.max(120, 50 + data.actionsPerActor.length * 28)}
          data={data.actionsPerActor}
          dataKey="actor"
          orientation="vertical"
          series={[{ name: 'count', label: 'Actions', color: 'blue.7' }]}
          valueFormatter={count}
          xAxisProps={{ allowDecimals: false }}
          yAxisProps={{ width: 150 }}
          gridAxis="y"
          maxBarWidth={20}
          textColor={AXIS_TEXT}
        />
      </ChartFigure>
    </SimpleGrid>
  );
}

/** Webchat tickets in the period: by category and status, reopened, median time to resolve; and their CSV. */
function TicketsReport({ report, period }: { report: TicketReport; period: Period }) {
  const exporter = useChannelMutation('tickets.reportCsv', {
    onSuccess: (r) => {
      saveFile(r.csv, r.fileName, 'text/csv');
      notify.success(`Ticket report exported: ${r.fileName}.`);
    },
    onError: (err) => notify.error(err, 'The ticket report was not exported'),
  });
  const byCategory = report.byCategory.filter((c) => c.count > 0);
  const byStatus = report.byStatus.filter((c) => c.count > 0);

  return (
    <Paper component="section" aria-labelledby="audit-tickets" p="md" mt="md">
      <Group justify="space-between" align="center" mb="sm" wrap="wrap" gap="sm">
        <Title order={2} id="audit-tickets" fz="md">
          Tickets in the period
        </Title>
        <Button
          variant="default"
          leftSection={<IconDownload size={16} aria-hidden="true" />}
          loading={exporter.isPending}
          onClick={() => {
            if (!exporter.isPending) exporter.mutate(period);
          }}
        >
          Export ticket report (CSV)
        </Button>
      </Group>
      {report.opened === 0 && byStatus.length === 0 ? (
        <Empty title="No tickets were opened in this period.">Choose a longer period to see tickets.</Empty>
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm" mb="md">
            <Stat label="Opened" value={count(report.opened)} />
            <Stat label="Resolved" value={count(report.resolved)} />
            <Stat label="Reopened" value={count(report.reopened)} />
            <Stat label="Median time to resolve" value={report.medianMinutesToResolve === null ? 'None resolved' : report.medianMinutesToResolve < 1 ? 'Under a minute' : formatMinutes(report.medianMinutesToResolve)} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <CountTable caption="By category" head="Category" rows={byCategory.map((c) => [TICKET_CATEGORY_LABELS[c.category], c.count] as const)} />
            <CountTable caption="By status now" head="Status" rows={byStatus.map((c) => [TICKET_STATUS_LABELS[c.status], c.count] as const)} />
          </SimpleGrid>
        </>
      )}
    </Paper>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className={classes.stat}>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text fz="lg" fw={650}>
        {value}
      </Text>
    </div>
  );
}

function CountTable({ caption, head, rows }: { caption: string; head: string; rows: ReadonlyArray<readonly [string, number]> }) {
  return (
    <Table captionSide="top" withTableBorder layout="fixed">
      <Table.Caption className={classes.caption}>{caption}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">{head}</Table.Th>
          <Table.Th scope="col" w={90} className="num">
            Tickets
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.length === 0 ? (
          <Table.Tr>
            <Table.Td colSpan={2}>
              <Text size="sm" c="dimmed">
                None in this period.
              </Text>
            </Table.Td>
          </Table.Tr>
        ) : (
          rows.map(([label, n]) => (
            <Table.Tr key={label}>
              <Table.Th scope="row" fw={400}>
                {label}
              </Table.Th>
              <Table.Td className="num">{count(n)}</Table.Td>
            </Table.Tr>
          ))
        )}
      </Table.Tbody>
    </Table>
  );
}
