// TEMPORARY adapter (being replaced).
import { useLocation } from 'wouter';
import { useDesk } from '../../lib/session';
import { EmployeePage as Old } from '../EmployeePage';
export function EmployeePage({ employeeId, ticketRef }: { employeeId: number; ticketRef?: string }) {
  const [, navigate] = useLocation();
  const { call, session } = useDesk();
  return <div className="screen"><Old call={call} role={session.role} employeeId={employeeId} summary={null} onBack={() => navigate('/search')} {...(ticketRef ? { ticketRef } : {})} /></div>;
}
