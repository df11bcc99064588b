import { useEffect, useMemo, useState } from 'react';

/**
 * The main process's time now, following its clock: at first the time it sent (`serverTime`, from
 * the data on screen), then moved on every `everyMs` while ticking.
 */
export function useServerNow(serverTime: string, ticking: boolean, everyMs = 1000): Date {
  const sent = useMemo(() => new Date(serverTime), [serverTime]);
  // A tick belongs to the data it counted from: newer data starts again from its own time.
  const [tick, setTick] = useState<{ from: Date; now: Date } | null>(null);
  useEffect(() => {
    if (!ticking) return;
    const start = Date.now();
    const timer = window.setInterval(() => setTick({ from: sent, now: new Date(sent.getTime() + Date.now() - start) }), everyMs);
    return () => window.clearInterval(timer);
  }, [sent, ticking, everyMs]);
  return tick?.from === sent ? tick.now : sent;
}
