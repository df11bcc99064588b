import { useEffect, useRef } from 'react';

const ACTIVITY_EVENTS = ['keydown', 'pointerdown'] as const;

/**
 * Calls onIdle once when there has been no keyboard or pointer activity for `minutes`.
 * While the user is active, onActive is called at most once a minute (to keep the server session alive).
 */
export function useIdleLock(minutes: number, onIdle: () => void, onActive?: () => void): void {
  const onIdleRef = useRef(onIdle);
  const onActiveRef = useRef(onActive);
  onIdleRef.current = onIdle;
  onActiveRef.current = onActive;

  useEffect(() => {
    if (!(minutes > 0)) return;
    const limit = minutes * 60_000;
    let last = Date.now();
    let lastPing = last;
    let fired = false;
    const mark = () => {
      last = Date.now();
      if (last - lastPing >= 60_000) {
        lastPing = last;
        onActiveRef.current?.();
      }
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, mark, { capture: true, passive: true });
    const timer = window.setInterval(() => {
      if (!fired && Date.now() - last >= limit) {
        fired = true;
        onIdleRef.current();
      }
    }, 1000);
    return () => {
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, mark, { capture: true });
      window.clearInterval(timer);
    };
  }, [minutes]);
}
