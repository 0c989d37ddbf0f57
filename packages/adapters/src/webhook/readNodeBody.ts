import type { Readable } from 'node:stream';
import type { BodyTimer, RawBody } from './WebhookRequest.js';

/** Errors a request stream raises when the client went away: not a fault of the receiver. */
const CLIENT_GONE = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

const ignore = (): void => undefined;

/**
 * Reads a Node stream (an `IncomingMessage`, Fastify's raw payload) into bytes,
 * stopping at `limit`: past it the rest is discarded unread and the result is
 * `'too_large'`. With a `timer`, a body not all there by its deadline is
 * abandoned (what was read is dropped) as `'timed_out'`. A client that goes away
 * mid-body gives `'aborted'`; any other stream error rejects.
 *
 * @example
 * const body = await readNodeBody(req, 1024 * 1024, core.bodyTimer);
 * if (body === 'too_large') res.writeHead(413).end();
 */
export const readNodeBody = (stream: Readable, limit: number, timer?: BodyTimer): Promise<RawBody> =>
  new Promise<RawBody>((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: RawBody | Error): void => {
      deadline?.cancel();
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('aborted', onAborted);
      stream.off('close', onAborted);
      if (outcome instanceof Error) {
        reject(outcome);
        return;
      }
      if (!(outcome instanceof Uint8Array)) {
        chunks = []; // drop what was read now, not when the connection goes
        stream.on('error', ignore); // a late error on an abandoned stream must not crash the process
      }
      resolve(outcome);
    };
    const onData = (chunk: Buffer | string): void => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += b.length;
      if (size > limit) {
        finish('too_large');
        stream.resume(); // discard the rest; the answer closes the connection
        return;
      }
      chunks.push(b);
    };
    const onEnd = (): void => finish(new Uint8Array(Buffer.concat(chunks, size)));
    const onError = (e: Error & { code?: unknown }): void => {
      finish(typeof e.code === 'string' && CLIENT_GONE.has(e.code) ? 'aborted' : e);
    };
    const onAborted = (): void => finish('aborted');
    const deadline = timer?.add(() => finish('timed_out'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('aborted', onAborted);
    stream.on('close', onAborted); // closed before 'end': the body never came whole
  });
