/**
 * The contract over a WebSocket, for browser mode (`layerbench serve`): the same `Api` the Electron preload
 * exposes, so no component knows which transport it talks to. Requests carry ids and are answered by id; events
 * are pushed. A lost connection answers every pending request with an error result and reconnects.
 */
import {
  CHANNELS,
  TOKEN_PARAM,
  WS_CLOSE,
  WS_PATH,
  wsCloseReason,
  type Api,
  type Channel,
  type EventName,
  type Events,
  type RequestOf,
  type ResponseOf,
  type Result,
  type WsRequest,
  type WsServerMessage,
} from '../../../common/contract.js';

type Pending = (result: Result<unknown>) => void;
type Listener = (payload: unknown) => void;

export interface ConnectionListener {
  (state: 'connecting' | 'open' | 'closed', detail?: string): void;
}

export function wsUrl(location: Location): string {
  const token = new URLSearchParams(location.search).get(TOKEN_PARAM);
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${WS_PATH}${token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : ''}`;
}

export function createWsApi(url: string, onConnection: ConnectionListener = () => {}): Api {
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  let nextId = 1;
  let retryMs = 250;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<Listener>>();

  function failAll(message: string): void {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'INTERNAL', message } });
    pending.clear();
  }

  function connect(): Promise<WebSocket> {
    if (opened) return opened;
    onConnection('connecting');
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.addEventListener('open', () => {
        socket = ws;
        retryMs = 250;
        onConnection('open');
        resolve(ws);
      });
      ws.addEventListener('message', (e) => dispatch(e.data));
      ws.addEventListener('close', (e) => {
        socket = null;
        opened = null;
        const why = wsCloseReason(e.code);
        failAll(why);
        onConnection('closed', why);
        reject(new Error(why));
        // Reconnect unless refused: the server restarts keep the same URL only within one launch.
        if (e.code !== WS_CLOSE.forbidden) setTimeout(() => void connect().catch(() => {}), retryMs);
        retryMs = Math.min(retryMs * 2, 5000);
      });
    });
    return opened;
  }

  function dispatch(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: WsServerMessage;
    try {
      msg = JSON.parse(data) as WsServerMessage;
    } catch {
      return;
    }
    if ('id' in msg) {
      const resolve = pending.get(msg.id);
      pending.delete(msg.id);
      resolve?.(msg.result);
    } else if ('event' in msg) {
      for (const cb of listeners.get(msg.event) ?? []) cb(msg.payload);
    }
  }

  async function request<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
    let ws: WebSocket;
    try {
      ws = socket ?? (await connect());
    } catch (e) {
      return { ok: false, error: { code: 'INTERNAL', message: (e as Error).message } };
    }
    const id = nextId++;
    const message: WsRequest<C> = { id, channel, payload };
    return new Promise((resolve) => {
      pending.set(id, resolve as Pending);
      ws.send(JSON.stringify(message));
    });
  }

  const api: Record<string, unknown> = {
    on<E extends EventName>(event: E, callback: (payload: Events[E]) => void): () => void {
      const set = listeners.get(event) ?? new Set<Listener>();
      set.add(callback as Listener);
      listeners.set(event, set);
      return () => set.delete(callback as Listener);
    },
  };
  for (const channel of CHANNELS) api[channel] = (payload: never) => request(channel, payload);
  void connect().catch(() => {});
  return api as unknown as Api;
}
