import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { fetchAttributes, inClientSpan, traceHeaders } from '../observability/spans';
import { RefusedAddressError, type OutboundAddressPolicy } from '../common/http/outbound-address';

/**
 * POSTs a body and answers the status code. Through node's http(s) with the policy's lookup
 * (fetch has no hook to check the address it connects to); redirects are not followed. The
 * call runs in a client span, and the receiver gets the trace in `traceparent`.
 */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  policy: OutboundAddressPolicy,
  options: { timeoutMs: number; spanAttributes?: Record<string, string> },
): Promise<number> {
  const target = new URL(url);
  const literal = target.hostname.replace(/^\[(.*)\]$/, '$1');
  // A literal address is connected to without a lookup: check it here.
  if (isIP(literal) && !policy.permits(literal)) {
    return Promise.reject(new RefusedAddressError(literal, literal));
  }
  const attributes = { ...fetchAttributes('POST', url), ...options.spanAttributes };
  return inClientSpan('webhook POST', attributes, () => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<number>((resolve, reject) => {
      const req = send(
        target,
        {
          method: 'POST',
          lookup: policy.lookup,
          timeout: options.timeoutMs,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'Cairn-Webhooks/1',
            ...traceHeaders(),
            ...headers,
          },
        },
        (response) => {
          // The answer's body is not needed; reading it frees the socket.
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  });
}
