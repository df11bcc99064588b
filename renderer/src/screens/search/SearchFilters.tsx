/** The look-up's filters and its sort choice: native selects (fast, and read well by everyone). */
import { memo } from 'react';
import { Button, Checkbox, NativeSelect } from '@mantine/core';
import { IconX } from '@tabler/icons-react';
import type { SearchFilters as Filters } from '../../../../shared/domain';
import { EMPLOYEE_STATUSES, FACTOR_FILTERS, MFA_STATES } from '../../../../shared/domain';
import { FACTOR_FILTER_LABELS, MFA_LABELS, SORT_OPTIONS, STATUS_LABELS } from '../../format';
import type { SearchSort } from '../../useEmployeeSearch';
import classes from './search.module.css';

const STATUS_OPTIONS = [{ value: '', label: 'Any status' }, ...EMPLOYEE_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))];
const MFA_OPTIONS = [{ value: '', label: 'Any MFA state' }, ...MFA_STATES.map((s) => ({ value: s, label: MFA_LABELS[s] }))];
const FACTOR_OPTIONS = [{ value: '', label: 'Any factor' }, ...FACTOR_FILTERS.map((f) => ({ value: f, label: FACTOR_FILTER_LABELS[f] }))];

/** The filters chosen from a fixed list: "" is "any". */
const CHOICES = [
  { key: 'status', label: 'Status', data: STATUS_OPTIONS },
  { key: 'mfa', label: 'MFA state', data: MFA_OPTIONS },
  { key: 'factor', label: 'Factor', data: FACTOR_OPTIONS },
] as const;

interface Props {
  filters: Filters;
  /** Every organisation (null while loading). */
  organisations: string[] | null;
  onChange: (f: Filters) => void;
  /** After Clear filters: the search box takes the focus. */
  onCleared: () => void;
}

export const SearchFilters = memo(function SearchFilters({ filters, organisations, onChange, onCleared }: Props) {
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  const any = Object.keys(filters).length > 0;
  const orgs = organisations ?? [];
  const orgList = filters.organisation && !orgs.includes(filters.organisation) ? [filters.organisation, ...orgs] : orgs;
  return (
    <fieldset className={classes.filters}>
      <legend className="visually-hidden">Filter the results</legend>
      {CHOICES.map(({ key, label, data }) => (
        <NativeSelect
          key={key}
          className={classes.filter}
          size="sm"
          label={label}
          data={data}
          value={filters[key] ?? ''}
          onChange={(e) => set({ [key]: e.currentTarget.value || undefined })}
        />
      ))}
      <NativeSelect
        className={classes.filterWide}
        size="sm"
        label="Organisation"
        data={[{ value: '', label: 'Any organisation' }, ...orgList.map((o) => ({ value: o, label: o }))]}
        value={filters.organisation ?? ''}
        aria-busy={organisations === null || undefined}
        onChange={(e) => set({ organisation: e.currentTarget.value || undefined })}
      />
      <div className={classes.checks}>
        <Checkbox
          size="sm"
          label="Pending registration"
          checked={filters.pendingRegistration === true}
          onChange={(e) => set({ pendingRegistration: e.currentTarget.checked || undefined })}
        />
        <Checkbox size="sm" label="Locked" checked={filters.locked === true} onChange={(e) => set({ locked: e.currentTarget.checked || undefined })} />
      </div>
      {any ? (
        <Button
          size="sm"
          variant="subtle"
          color="gray"
          leftSection={<IconX size={14} aria-hidden="true" />}
          onClick={() => {
            onChange({});
            onCleared();
          }}
        >
          Clear filters
        </Button>
      ) : null}
    </fieldset>
  );
});

/** "Sort by": the same orders as the column headers, in words (relevance only with a query). */
export const SortChoice = memo(function SortChoice({ query, sort, onChange }: { query: string; sort: SearchSort; onChange: (s: SearchSort) => void }) {
  const value = `${sort.by}:${sort.dir}`;
  const options = SORT_OPTIONS.filter((o) => o.by !== 'relevance' || query !== '').map((o) => ({ value: `${o.by}:${o.dir}`, label: o.label }));
  return (
    <div className={classes.sort}>
      <label htmlFor="results-sort">Sort by</label>
      <NativeSelect
        id="results-sort"
        size="sm"
        data={options}
        value={value}
        onChange={(e) => {
          const [by, dir] = e.currentTarget.value.split(':') as [SearchSort['by'], SearchSort['dir']];
          onChange({ by, dir });
        }}
      />
    </div>
  );
});
