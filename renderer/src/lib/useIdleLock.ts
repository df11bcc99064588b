import { useEffect, useEffectEvent } from 'react';

const ACTIVITY_EVENTS = ['keydown', 'pointerdown'] as const;

/**
 * Activity is shared between the tabs of one browser-host address (same origin, same session
 * cookie): a tab in the background must not lock the session the user is working in.
 */
const SHARED_KEY = 'desk.lastActivity';

function sharedActivity(): number {
  try {
    return Number(window.localStorage.getItem(SHARED_KEY)) || 0;
  } catch {
    return 0;
  }
}

function shareActivity(at: number): void {
  try {
    window.localStorage.setItem(SHARED_KEY, String(at));
  } catch {
    // storage unavailable: this tab alone decides
  }
}

/**
 * Calls onIdle once when there has been no keyboard or pointer activity for `minutes`, in this tab
 * or any other tab of the same desk.
 * While the user is active, onActive is called at most once a minute (to keep the server session
 * alive); once idle it is never called again.
 */
export function useIdleLock(minutes: number, onIdle: () => void, onActive?: () => void): void {
  // The latest callbacks, without restarting the timer when they change.
  const idle = useEffectEvent(onIdle);
  const active = useEffectEvent(() => onActive?.());

  useEffect(() => {
    if (!(minutes > 0)) return;
    const limit = minutes * 60_000;
    let last = Date.now();
    let lastPing = last;
    let lastShared = 0;
    let fired = false;
    shareActivity(last);
    const mark = () => {
      if (fired) return;
      last = Date.now();
      if (last - lastShared >= 5_000) {
        lastShared = last;
        shareActivity(last);
      }
      if (last - lastPing >= 60_000) {
        lastPing = last;
        active();
      }
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, mark, { capture: true, passive: true });
    const timer = window.setInterval(() => {
      if (!fired && Date.now() - Math.max(last, sharedActivity()) >= limit) {
        fired = true;
        window.clearInterval(timer);
        idle();
      }
    }, 1000);
    return () => {
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, mark, { capture: true });
      window.clearInterval(timer);
    };
  }, [minutes]);
}
