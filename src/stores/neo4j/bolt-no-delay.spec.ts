import net from 'node:net';
import { boltPort, disableNagleOnBoltSockets } from './bolt-no-delay';

describe('disableNagleOnBoltSockets', () => {
  const servers: net.Server[] = [];
  const listen = async (): Promise<number> => {
    const server = net.createServer((socket) => socket.end());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as net.AddressInfo).port;
  };
  const connected = (socket: net.Socket) =>
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', reject);
    });

  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('turns Nagle off on sockets to a Bolt port, in the forms the driver and others call', async () => {
    const bolt = await listen();
    const other = await listen();
    disableNagleOnBoltSockets(bolt);
    const setNoDelay = jest.spyOn(net.Socket.prototype, 'setNoDelay');
    try {
      await connected(net.connect(bolt, '127.0.0.1'));
      await connected(net.createConnection({ port: bolt, host: '127.0.0.1' }));
      expect(setNoDelay).toHaveBeenCalledTimes(2);
      expect(setNoDelay).toHaveBeenCalledWith(true);

      setNoDelay.mockClear();
      await connected(net.connect(other, '127.0.0.1'));
      expect(setNoDelay).not.toHaveBeenCalled();
    } finally {
      setNoDelay.mockRestore();
    }
  });

  it('reads the port of a Bolt URL, 7687 by default', () => {
    expect(boltPort('bolt://127.0.0.1:7688')).toBe(7688);
    expect(boltPort('neo4j+s://graph.example.com')).toBe(7687);
  });
});
