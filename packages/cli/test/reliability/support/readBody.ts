import type { IncomingMessage } from 'node:http';

/**
 * The whole body of a request or response, as bytes.
 *
 * @example
 * const body = await readBody(req);
 */
export const readBody = (message: IncomingMessage): Promise<Buffer> => new Promise((resolve, reject) => {
  const chunks: Buffer[] = [];
  message.on('data', (c: Buffer) => chunks.push(c));
  message.on('end', () => resolve(Buffer.concat(chunks)));
  message.on('error', reject);
});
