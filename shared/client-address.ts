// Who is asking, for limits and audit logs: the socket's address, or behind a known number of
// proxies the address they saw. Pure: the HTTP layer passes in the socket address and the header.
import ipaddr from 'ipaddr.js';

/**
 * The client's address: with `trustedHops` proxies in front (each appending what it saw to
 * X-Forwarded-For), the entry that many places from the right of [...X-Forwarded-For, socket];
 * when the header is shorter, its leftmost entry. Without trusted proxies, the socket's address
 * (the header is the client's to invent). Undefined when nothing usable is known.
 */
export function clientAddress(socket: string | undefined, forwardedFor: string | undefined, trustedHops: number): string | undefined {
  const chain = trustedHops > 0 && forwardedFor ? forwardedFor.split(',').map((s) => s.trim()) : [];
  if (socket) chain.push(socket);
  const picked = chain[Math.max(0, chain.length - 1 - trustedHops)];
  return picked !== undefined && ipaddr.isValid(picked) ? normalize(picked) : socket && ipaddr.isValid(socket) ? normalize(socket) : undefined;
}

function normalize(address: string): string {
  return ipaddr.process(address).toString();
}

/**
 * What limits count per: an IPv4 address, or an IPv6 /64 (one subscriber's network: anyone with
 * IPv6 has 2^64 addresses to rotate through). IPv4-mapped IPv6 counts as the IPv4 address.
 */
export function addressKey(address: string): string {
  const ip = ipaddr.process(address);
  if (ip.kind() === 'ipv4') return ip.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${ip.toString()}/64`).toString()}/64`;
}
