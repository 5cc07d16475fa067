import net from 'node:net';
import tls from 'node:tls';

/**
 * Turns Nagle's algorithm off on the sockets neo4j-driver opens to a Bolt port.
 *
 * neo4j-driver 5 opens them with `net.connect(port, host, onConnect)` (or `tls.connect(port,
 * host, options, onConnect)`), leaves Nagle on and has no option for it. A transaction's
 * statement is sent as more than one TCP write (the RUN, its PULL, and large parameters span
 * segments), so the last write waits for the server's delayed ACK, ~40 ms on Linux, before
 * Neo4j even sees the statement. pg, ioredis, grpc-js and Node's HTTP agent all disable Nagle
 * themselves. Measured on MuSiQue-100's graph writes (1,890 passages in batches of 100, one
 * process, warm Neo4j): 13.3 s wall before, 8.3 s after, Neo4j's CPU unchanged.
 *
 * Only sockets to the given ports are touched; the patch is installed once per process.
 */
const boltPorts = new Set<number>();
let installed = false;

export function disableNagleOnBoltSockets(port: number): void {
  boltPorts.add(port);
  if (installed) return;
  installed = true;
  net.connect = withNoDelay(net.connect);
  net.createConnection = withNoDelay(net.createConnection);
  tls.connect = withNoDelay(tls.connect);
}

/** The Bolt port of a neo4j:// or bolt:// URL (7687 when it names none). */
export function boltPort(url: string): number {
  const port = new URL(url).port;
  return port === '' ? 7687 : Number(port);
}

function withNoDelay<F extends (...args: never[]) => net.Socket>(connect: F): F {
  return function (this: unknown, ...args: Parameters<F>) {
    const socket = connect.apply(this, args);
    if (boltPorts.has(targetPort(args[0]))) socket.setNoDelay(true);
    return socket;
  } as F;
}

function targetPort(first: unknown): number {
  if (typeof first === 'number') return first;
  if (typeof first === 'string' && /^\d+$/.test(first)) return Number(first);
  if (typeof first === 'object' && first !== null && 'port' in first) {
    return Number(first.port);
  }
  return NaN;
}
