// TEMPORARY adapter (being replaced).
import { useLocation } from 'wouter';
import { useDesk } from '../../lib/session';
import { useShell } from '../../app/shell-context';
import { LookupScreen as Old } from '../LookupScreen';
export function LookupScreen() {
  const [, navigate] = useLocation();
  const { call, session, status, refreshStatus } = useDesk();
  const shell = useShell();
  return (
    <div className="screen">
      <Old call={call} session={session} status={status} search={shell.search} organisations={shell.organisations} focusEmployeeId={shell.lastOpened} focusSearchRequest={shell.focusSearchRequest}
        onOpen={(e) => { shell.setLastOpened(e.id); navigate(`/employees/${e.id}`); }} onStatusChanged={refreshStatus} />
    </div>
  );
}
