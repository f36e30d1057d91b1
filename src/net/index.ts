// IP addresses and CIDR blocks, IPv4 and IPv6: parsing, canonical text, sortable keys, containment.
export {
  compareIp,
  formatIp,
  intToIpv4,
  ipFromKey,
  ipKey,
  ipv4ToInt,
  normalizeIp,
  parseIp,
  toIpv6Bytes,
  unmapIpv4,
  type IpAddress,
  type IpFamily,
} from './ip.ts';
export {
  cidrContains,
  cidrOf,
  ipv4CidrAddresses,
  ipv4CidrCount,
  ipv4CidrNth,
  ipv4CidrRange,
  ipv4RangeToCidrs,
  parseCidr,
  type Cidr,
} from './cidr.ts';
export { bindUdp, isLoopback, listenTcp, localAddressOf, remoteAddressOf, udpSocket } from './sockets.ts';
