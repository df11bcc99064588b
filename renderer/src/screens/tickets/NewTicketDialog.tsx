// TEMPORARY adapter (being replaced).
import { useCall } from '../../lib/session';
import { NewTicketDialog as Old } from '../TicketsScreen';
export function NewTicketDialog({ opened, change, onClose, onOpened }: { opened: boolean; change?: string | undefined; onClose: () => void; onOpened: (id: number) => void }) {
  const call = useCall();
  if (!opened) return null;
  return <Old call={call} {...(change ? { initialChange: change } : {})} onClose={onClose} onOpened={onOpened} />;
}
