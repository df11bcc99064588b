import { useEffect, useState } from 'react';

/** The main process's time now, following its clock: ticks every second while shown. */
export function useServerNow(offset: number, ticking: boolean): Date {
  const [now, setNow] = useState(() => new Date(Date.now() + offset));
  useEffect(() => {
    setNow(new Date(Date.now() + offset));
    if (!ticking) return;
    const timer = window.setInterval(() => setNow(new Date(Date.now() + offset)), 1000);
    return () => window.clearInterval(timer);
  }, [offset, ticking]);
  return now;
}
