import { connect, type Socket } from 'node:net';

/** One HTTP/1.1 exchange on a raw loopback socket, so a test can send part of a body and stop. */
export interface RawExchange {
  readonly socket: Socket;
  /** The status of the answer, once its head has arrived (never rejects; 0 when the socket closed without one). */
  readonly status: Promise<number>;
  /** All bytes answered, once the server closed the connection. */
  readonly closed: Promise<string>;
}

/**
 * Opens a connection to `port`, sends a POST head declaring `declared` body
 * bytes, then `sent` (all or part of the body), and nothing more. Socket errors
 * (a reset after the server hung up) only end the exchange.
 */
export const rawPost = (port: number, spec: {
  readonly headers: Readonly<Record<string, string>>;
  readonly declared: number;
  readonly sent: Uint8Array;
  readonly path?: string;
}): RawExchange => {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let answer = '';
  let onStatus: (s: number) => void = () => undefined;
  const status = new Promise<number>((resolve) => {
    onStatus = resolve;
  });
  const closed = new Promise<string>((resolve) => {
    socket.on('close', () => {
      onStatus(0);
      resolve(answer);
    });
  });
  socket.on('error', () => undefined);
  socket.on('data', (d: Buffer) => {
    answer += d.toString('latin1');
    const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
    if (m) onStatus(Number(m[1]));
  });
  const head = [
    `POST ${spec.path ?? '/webhook'} HTTP/1.1`,
    'host: 127.0.0.1',
    `content-length: ${spec.declared}`,
    ...Object.entries(spec.headers).map(([k, v]) => `${k}: ${v}`),
    '', '',
  ].join('\r\n');
  socket.write(head);
  if (spec.sent.byteLength > 0) socket.write(spec.sent);
  return { socket, status, closed };
};

/** A header of a raw answer, by lower-case name. */
export const rawHeader = (answer: string, name: string): string | undefined => {
  const head = answer.slice(0, answer.indexOf('\r\n\r\n'));
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (line.slice(0, colon).toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return undefined;
};
