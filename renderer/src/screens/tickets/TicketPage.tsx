// TEMPORARY adapter (being replaced).
import { useLocation } from 'wouter';
import { useDesk } from '../../lib/session';
import { TicketView as Old } from '../TicketsScreen';
export function TicketPage({ ticketId }: { ticketId: number }) {
  const [, navigate] = useLocation();
  const { call, session } = useDesk();
  return <div className="screen"><Old call={call} role={session.role} ticketId={ticketId} onBack={() => navigate('/tickets')} onOpenEmployee={(id) => navigate(`/employees/${id}`)} /></div>;
}
