import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress } from './client-address.js';

const ipv4 = fc.ipV4();

describe('clientAddress', () => {
  it('without trusted proxies is the socket, whatever X-Forwarded-For claims', () => {
    fc.assert(
      fc.property(ipv4, fc.array(ipv4, { maxLength: 4 }), (socket, claimed) => {
        expect(clientAddress(socket, claimed.join(', '), 0)).toBe(clientAddress(socket, undefined, 0));
        expect(clientAddress(socket, undefined, 0)).toBe(addressKey(socket));
      }),
    );
  });

  it('behind N proxies is the address the outermost proxy saw, whatever the client prepended', () => {
    fc.assert(
      fc.property(fc.array(ipv4, { maxLength: 3 }), ipv4, fc.array(ipv4, { minLength: 1, maxLength: 3 }), (forged, client, proxies) => {
        // The client sends `forged`; the first proxy appends `client`, each later proxy the one before it.
        const header = [...forged, client, ...proxies.slice(0, -1)].join(', ');
        expect(clientAddress(proxies.at(-1), header, proxies.length)).toBe(client);
      }),
    );
  });

  it('is undefined without anything usable', () => {
    expect(clientAddress(undefined, undefined, 0)).toBeUndefined();
    expect(clientAddress('not-an-ip', undefined, 0)).toBeUndefined();
  });
});

describe('addressKey', () => {
  it('is the IPv4 address itself, also when written IPv4-mapped', () => {
    fc.assert(
      fc.property(ipv4, (a) => {
        expect(addressKey(`::ffff:${a}`)).toBe(addressKey(a));
      }),
    );
  });

  const hextets = (n: number) => fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: n, maxLength: n });
  const v6 = (parts: number[]) => parts.map((x) => x.toString(16)).join(':');

  it('gives every IPv6 address of one /64 the same key, and other /64s other keys', () => {
    fc.assert(
      fc.property(hextets(4).filter((n) => n[0]! >= 0x2000), hextets(4), hextets(4), fc.integer({ min: 1, max: 0xffff }), (net, a, b, step) => {
        const key = addressKey(v6([...net, ...a]));
        expect(key).toMatch(/\/64$/);
        expect(addressKey(v6([...net, ...b]))).toBe(key);
        const otherNet = [...net.slice(0, 3), (net[3]! + step) % 0x10000];
        expect(addressKey(v6([...otherNet, ...a]))).not.toBe(key);
      }),
    );
  });
});
