// TEMPORARY adapter (being replaced).
import { useLocation } from 'wouter';
import { useCall } from '../../lib/session';
import { ManagerTasksScreen as Old } from '../TicketsScreen';
export function ManagerTasksScreen() {
  const [, navigate] = useLocation();
  return <div className="screen"><Old call={useCall()} onBack={() => navigate('/search')} onOpenEmployee={(id, ref) => navigate(`/employees/${id}/ticket/${encodeURIComponent(ref)}`)} /></div>;
}
