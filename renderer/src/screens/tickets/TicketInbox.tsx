// TEMPORARY adapter (being replaced).
import { useLocation } from 'wouter';
import { useCall } from '../../lib/session';
import { useShell } from '../../app/shell-context';
import { TicketInbox as Old } from '../TicketsScreen';
export function TicketInbox() {
  const [, navigate] = useLocation();
  const shell = useShell();
  return <div className="screen"><Old call={useCall()} onBack={() => navigate('/search')} onOpen={(id) => navigate(`/tickets/${id}`)} onNew={() => shell.openNewTicket()} /></div>;
}
