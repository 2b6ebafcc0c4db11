/**
 * Measures how responsive the page stays: gaps between animation frames (a long gap is a frozen UI) and the
 * delay between a WebSocket message arriving and its handler running (events queued behind work).
 * Installed before the app loads, so it sees the app's own socket.
 */
export function installLatencyProbe(): void {
  const w = window as unknown as { __lb: { frames: number[]; events: number[]; on: boolean } };
  w.__lb = { frames: [], events: [], on: false };
  const Native = window.WebSocket;
  class Probed extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Registered first, so it runs when the app's own listener is about to: timeStamp is when the message was queued.
      this.addEventListener('message', (e) => {
        if (w.__lb.on) w.__lb.events.push(performance.now() - e.timeStamp);
      });
    }
  }
  window.WebSocket = Probed;
  let last = 0;
  const frame = (t: number) => {
    if (w.__lb.on && last) w.__lb.frames.push(t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

export interface LatencyStats {
  frames: { count: number; p95: number; max: number };
  events: { count: number; p95: number; max: number };
}

export function summarizeLatency(raw: { frames: number[]; events: number[] }): LatencyStats {
  const stat = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { count: s.length, p95: s.length ? s[Math.floor(s.length * 0.95)] : 0, max: s.length ? s[s.length - 1] : 0 };
  };
  return { frames: stat(raw.frames), events: stat(raw.events) };
}
