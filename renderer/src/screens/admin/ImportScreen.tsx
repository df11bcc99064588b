// TEMPORARY adapter (being replaced).
import { useLocation } from 'wouter';
import { useDesk } from '../../lib/session';
import { ImportScreen as Old } from '../ImportScreen';
export function ImportScreen() {
  const [, navigate] = useLocation();
  const { call, refreshStatus } = useDesk();
  return <div className="screen"><Old call={call} onBack={() => { navigate('/search'); void refreshStatus(); }} /></div>;
}
