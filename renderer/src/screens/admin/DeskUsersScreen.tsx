// TEMPORARY adapter (being replaced).
import { useLocation } from 'wouter';
import { useDesk } from '../../lib/session';
import { DeskUsersScreen as Old } from '../DeskUsersScreen';
export function DeskUsersScreen() {
  const [, navigate] = useLocation();
  const { call, session } = useDesk();
  return <div className="screen"><Old call={call} selfId={session.userId} onBack={() => navigate('/search')} /></div>;
}
