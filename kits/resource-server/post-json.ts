import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface JsonPoster {
  /** POSTs a JSON body; resolves with the status and the parsed JSON answer (undefined when it is not JSON). */
  post(body: string, timeoutMs: number): Promise<{ status: number; json: unknown }>;
  close(): void;
}

const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * A JSON POST to one fixed URL over node:http(s) with a keep-alive connection: the reporter's transport.
 * WHATWG fetch costs several times more CPU per request (streams, cloned bodies), which a resource server
 * reporting thousands of calls a second pays on its own event loop.
 */
export function jsonPoster(url: URL, headers: Record<string, string>): JsonPoster {
  const https = url.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const send = https ? httpsRequest : httpRequest;
  return {
    post(body, timeoutMs) {
      return new Promise((resolve, reject) => {
        const req = send(url, {
          method: 'POST',
          agent,
          headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        });
        req.setTimeout(timeoutMs, () => req.destroy(new Error('the daemon did not answer the tool-call report in time')));
        req.once('error', reject);
        req.once('response', (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_ANSWER_BYTES) req.destroy(new Error('the answer to a tool-call report is too large'));
            else chunks.push(c);
          });
          res.once('error', reject);
          res.once('end', () => {
            let json: unknown;
            try {
              json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        });
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
