// TEMPORARY adapter (being replaced): the old Audit screen inside the new shell.
import { useLocation } from 'wouter';
import { useCall } from '../../lib/session';
import { AuditScreen as Old } from '../AuditScreen';
export function AuditScreen(_props: { tab: 'dashboard' | 'events' | 'integrity' }) {
  const [, navigate] = useLocation();
  return <div className="screen"><Old call={useCall()} onBack={() => navigate('/search')} /></div>;
}
