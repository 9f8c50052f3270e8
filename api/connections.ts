// Every socket the HTTP server holds: logs (debug) each one it closes and why, counts requests whose
// response was cut off because their connection went away under them, and reads to the end the
// request bodies that a response went out without reading, so the connection stays usable.
//
// Why the last part (issue 11): @hono/node-server 2.1's own cleanup (autoCleanupIncoming) resumes an
// unread body after the response and destroys the socket if it has not ended 500 ms later. But once
// anything has touched `c.req.raw.body` (hono's bodyLimit does, on every request with a body), the
// body is wrapped by Readable.toWeb, whose 'data' listener pauses the request again as soon as its
// queue is full; nobody reads that queue after an early answer (a 413 by Content-Length, a 401 on a
// POST with a body), so the body never ends and the socket is destroyed 500 ms later, with the
// client's next keep-alive request on it, sent or already being served. So the server runs with
// autoCleanupIncoming off and this module drains such bodies instead: it drops the adapter's listener
// and discards the rest (Node's own req._dump()), with no deadline while it arrives; a body that is
// absurdly large is the only reason it closes a connection, and it says so in the 413 first.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../shared/logger.js';

export interface ConnectionStats {
  opened: number;
  closed: number;
  requests: number;
  /** Requests the server acted on whose response never finished: the connection closed under them. */
  cutOff: number;
  /** Why connections closed, by reason. */
  reasons: Record<string, number>;
}

interface SocketState {
  id: number;
  requests: number;
  /** Responses begun and not yet closed. */
  inFlight: number;
  peerEnded: boolean;
  timedOut: boolean;
  error?: string;
  /** Set by whoever closes the socket on purpose (see closeSocket). */
  closedBecause?: string;
}

const stateKey = Symbol('connection state');
type Tracked = Socket & { [stateKey]?: SocketState };

/** Closes a socket on purpose, recording why for the close log. */
export function closeSocket(socket: Socket, why: string): void {
  const state = (socket as Tracked)[stateKey];
  if (state && !state.closedBecause) state.closedBecause = why;
  socket.destroySoon();
}

function reasonOf(s: SocketState): string {
  if (s.closedBecause) return s.closedBecause;
  if (s.error) return `socket error ${s.error}`;
  if (s.timedOut) return 'idle past keepAliveTimeout (or a server timeout)';
  if (s.peerEnded) return 'the client closed it';
  return 'closed by the server (a request timeout or malformed request)';
}

/** Declared bodies up to this size are read and discarded after an early answer, keeping the connection. */
export const DRAIN_LIMIT = 8 * 1024 * 1024;

/** After an answer that did not read the whole body: discard the rest, so the next request can be parsed. */
function drainUnreadBody(req: IncomingMessage, socket: Socket): void {
  if (req.readableEnded || req.destroyed) return;
  // The fetch adapter's listener (Readable.toWeb) would pause the stream again; its reader is gone.
  req.removeAllListeners('data');
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT) closeSocket(socket, `request body over ${DRAIN_LIMIT} bytes left unread`);
  });
  req.resume();
}

export function trackConnections(server: Server, log: Logger): ConnectionStats {
  const stats: ConnectionStats = { opened: 0, closed: 0, requests: 0, cutOff: 0, reasons: {} };
  let nextId = 0;
  server.on('connection', (socket: Tracked) => {
    const state: SocketState = { id: ++nextId, requests: 0, inFlight: 0, peerEnded: false, timedOut: false };
    socket[stateKey] = state;
    stats.opened++;
    socket.on('end', () => (state.peerEnded = true));
    socket.on('timeout', () => (state.timedOut = true));
    socket.on('error', (err: NodeJS.ErrnoException) => (state.error ??= err.code ?? err.message));
    socket.on('close', () => {
      stats.closed++;
      const reason = reasonOf(state);
      stats.reasons[reason] = (stats.reasons[reason] ?? 0) + 1;
      const inFlight = state.inFlight;
      log.debug({ socket: state.id, remote: socket.remotePort, requests: state.requests, inFlight, reason }, inFlight ? 'connection closed under a request' : 'connection closed');
    });
  });
  // One listener a response: 'close' comes after 'finish' (a tick later) or, cut off, without it.
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const state = (socket as Tracked)[stateKey];
    stats.requests++;
    if (state) {
      state.requests++;
      state.inFlight++;
    }
    res.on('close', () => {
      if (state) state.inFlight--;
      if (res.writableFinished) {
        // Node's own flag: this answer said Connection: close (the client asked, or a 413 for a huge body).
        if (state && (res as ServerResponse & { _last?: boolean })._last) state.closedBecause ??= 'the answer said Connection: close';
        drainUnreadBody(req, socket);
      } else {
        stats.cutOff++;
        log.warn({ socket: state?.id, method: req.method, url: req.url }, 'response cut off: the connection closed under the request');
      }
    });
  });
  return stats;
}
