/** What the HR import will do, in words: from the dry run of this file when there was one. */
import type { HrImportCountsView } from '../../../../shared/domain';
import { formatNumber, plural } from '../../format';

/** The dry run of a file, kept to say what importing that same file will do. */
export interface Checked {
  file: File;
  counts: HrImportCountsView;
  totalRows: number;
}

export function ImportConsequences({ file, checked }: { file: File; checked: Checked | null }) {
  if (!checked) {
    return (
      <>
        <p>
          <strong>{file.name}</strong> has not been checked with a dry run, so the desk cannot say yet how many records
          will change. The import adds new employees, updates changed ones, marks leavers (cancelling their pending
          registrations and unused codes) and replaces the email addresses HR gave before.
        </p>
        <p>To see the counts first, cancel and choose “Check only (dry run)”.</p>
        <p>The changes are saved batch by batch and are not undone by cancelling. No one gets mail.</p>
      </>
    );
  }
  const c = checked.counts;
  const items = [
    c.created > 0 && `${plural(c.created, 'new employee is', 'new employees are')} added`,
    c.updated > 0 && `${plural(c.updated, 'employee is', 'employees are')} updated${c.leavers > 0 ? `, ${plural(c.leavers, 'of them becomes a leaver', 'of them become leavers')}` : ''}${c.rejoined > 0 ? `, ${formatNumber(c.rejoined)} active again` : ''}`,
    c.emailsAdded > 0 && `${plural(c.emailsAdded, 'email address is', 'email addresses are')} added`,
    c.emailsRemoved > 0 && `${plural(c.emailsRemoved, 'email address is', 'email addresses are')} removed`,
    c.pendingFactorsCancelled > 0 && `${plural(c.pendingFactorsCancelled, 'pending registration is', 'pending registrations are')} cancelled`,
    c.codesCancelled > 0 && `${plural(c.codesCancelled, 'unused code is', 'unused codes are')} cancelled`,
    c.conflicts > 0 && `${plural(c.conflicts, 'address is', 'addresses are')} kept against HR's data (see the report)`,
    c.rejected > 0 && `${plural(c.rejected, 'row is', 'rows are')} rejected and left out (see the report)`,
  ].filter((x): x is string => typeof x === 'string');
  return (
    <>
      <p>
        The dry run of <strong>{file.name}</strong> read {plural(checked.totalRows, 'row', 'rows')}. Importing it now:
      </p>
      {items.length > 0 ? (
        <ul>
          {items.map((t) => (
            <li key={t}>{t};</li>
          ))}
        </ul>
      ) : (
        <p>changes nothing: every employee in it is already as HR says.</p>
      )}
      <p>
        {c.unchanged > 0 ? `${plural(c.unchanged, 'employee stays', 'employees stay')} as they are. ` : ''}The changes are saved
        batch by batch and are not undone by cancelling. No one gets mail.
      </p>
    </>
  );
}
