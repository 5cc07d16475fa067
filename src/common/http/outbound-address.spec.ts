import { OutboundAddressPolicy, parseNetwork } from './outbound-address';

describe('outbound address policy', () => {
  const strict = new OutboundAddressPolicy();

  it('refuses loopback, private, link-local and reserved addresses by default', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ]) {
      expect([address, strict.permits(address)]).toEqual([address, false]);
    }
  });

  it('permits public addresses', () => {
    for (const address of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111']) {
      expect([address, strict.permits(address)]).toEqual([address, true]);
    }
  });

  it('permits private addresses inside the configured networks only', () => {
    const loopback = new OutboundAddressPolicy(['127.0.0.0/8', '::1']);
    expect(loopback.permits('127.0.0.1')).toBe(true);
    expect(loopback.permits('::1')).toBe(true);
    expect(loopback.permits('::ffff:127.0.0.1')).toBe(true);
    expect(loopback.permits('10.0.0.1')).toBe(false);
  });

  it('checks URLs: scheme, credentials and the addresses of the host', async () => {
    await expect(strict.check('ftp://example.com/')).rejects.toThrow(/http and https/);
    await expect(strict.check('https://user:pw@93.184.216.34/')).rejects.toThrow(/user name/);
    await expect(strict.check('http://127.0.0.1:8080/hook')).rejects.toThrow(/loopback/);
    await expect(strict.check('http://[::1]/hook')).rejects.toThrow(/loopback/);
    await expect(strict.check('http://localhost/hook')).rejects.toThrow(/resolves to/);
    await expect(strict.check('not a url')).rejects.toThrow(/not a URL/);
    const allowed = new OutboundAddressPolicy(['127.0.0.0/8', '::1']);
    await expect(allowed.check('http://127.0.0.1:8080/hook')).resolves.toBeInstanceOf(URL);
  });

  it('parses networks and refuses nonsense', () => {
    expect(parseNetwork('10.0.0.0/8')).toEqual({ network: '10.0.0.0', prefix: 8, type: 'ipv4' });
    expect(parseNetwork('::1')).toEqual({ network: '::1', prefix: 128, type: 'ipv6' });
    expect(() => parseNetwork('10.0.0.0/33')).toThrow();
    expect(() => parseNetwork('example.com/8')).toThrow();
    expect(() => parseNetwork('10.0.0.0/')).toThrow();
  });
});
