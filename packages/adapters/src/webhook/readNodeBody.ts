import type { Readable } from 'node:stream';
import type { RawBody } from './WebhookRequest.js';

/**
 * Reads a Node stream (an `IncomingMessage`, Fastify's raw payload) into bytes,
 * stopping at `limit`: past it the rest is discarded unread and the result is
 * `'too_large'`. A stream that errors or is aborted rejects.
 *
 * @example
 * const body = await readNodeBody(req, 1024 * 1024);
 * if (body === 'too_large') res.writeHead(413).end();
 */
export const readNodeBody = (stream: Readable, limit: number): Promise<RawBody> =>
  new Promise<RawBody>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer | string): void => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += b.length;
      if (size > limit) {
        cleanup();
        stream.resume(); // discard the rest; the answer closes the connection
        resolve('too_large');
        return;
      }
      chunks.push(b);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(new Uint8Array(Buffer.concat(chunks, size)));
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const onAborted = (): void => onError(new Error('The client aborted the request.'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('aborted', onAborted);
  });
