/** IPv4 ranges the gateway never fetches for a client: `[first octets, prefix length, kind]`. */
const IPV4_RANGES: ReadonlyArray<readonly [ReadonlyArray<number>, number, string]> = [
  [[0], 8, "an unspecified (this-network) address"],
  [[10], 8, "a private address"],
  [[100, 64], 10, "a carrier-grade NAT address"],
  [[127], 8, "a loopback address"],
  [[169, 254], 16, "a link-local address"],
  [[172, 16], 12, "a private address"],
  [[192, 0, 0], 24, "a reserved (IETF protocol) address"],
  [[192, 168], 16, "a private address"],
  [[198, 18], 15, "a reserved (benchmarking) address"],
  [[224], 4, "a multicast address"],
  [[255, 255, 255, 255], 32, "the broadcast address"],
  [[240], 4, "a reserved address"],
]

const ipv4Number = (octets: ReadonlyArray<number>): number =>
  octets.reduce((n, o) => n * 256 + o, 0) * 256 ** (4 - octets.length)

const inIpv4Range = (address: number, start: ReadonlyArray<number>, prefix: number): boolean => {
  const size = 2 ** (32 - prefix)
  return Math.floor(address / size) === Math.floor(ipv4Number(start) / size)
}

const ipv4Kind = (address: number): string | undefined =>
  IPV4_RANGES.find(([start, prefix]) => inIpv4Range(address, start, prefix))?.[2]

/** The 8 groups of a canonical (WHATWG-serialised) IPv6 address, brackets removed. */
const ipv6Groups = (text: string): ReadonlyArray<number> | undefined => {
  const [head = "", tail] = text.split("::")
  const part = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)))
  const left = part(head)
  const right = tail === undefined ? [] : part(tail)
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(8 - left.length - right.length).fill(0), ...right]
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : undefined
}

const ipv6Kind = (groups: ReadonlyArray<number>): string | undefined => {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups
  const embedded = (hi: number, lo: number) => ipv4Kind(hi * 65536 + lo)
  const zeroTo = (n: number) => groups.slice(0, n).every((g) => g === 0)
  if (zeroTo(8)) return "an unspecified address"
  if (zeroTo(7) && g7 === 1) return "a loopback address"
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) reach the IPv4 address.
  if (zeroTo(5) && g5 === 0xffff) return embedded(g6, g7)
  if (zeroTo(6)) return embedded(g6, g7) ?? "an IPv4-compatible address"
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) route to the IPv4 address they embed.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
    return embedded(g6, g7)
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return "a local-use NAT64 address"
  if (g0 === 0x2002) return embedded(g1, g2)
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return "a discard-only address"
  if ((g0 & 0xfe00) === 0xfc00) return "a unique-local address"
  if ((g0 & 0xffc0) === 0xfe80) return "a link-local address"
  if ((g0 & 0xffc0) === 0xfec0) return "a site-local address"
  if ((g0 & 0xff00) === 0xff00) return "a multicast address"
  return undefined
}

/**
 * What makes a host unfit for fetching on a client's behalf, or `undefined` for a public
 * one. Takes the hostname as the WHATWG URL parser canonicalised it (`URL#hostname`):
 * every IPv4 spelling is then dotted decimal and every IPv6 one compressed hex, so
 * checking that one form covers them all.
 *
 * @example
 * ```ts
 * forbiddenHostKind(new URL("http://0x7f.1/").hostname) // "a loopback address"
 * forbiddenHostKind("hooks.example.com") // undefined
 * ```
 */
export const forbiddenHostKind = (hostname: string): string | undefined => {
  if (hostname.startsWith("[")) {
    const groups = ipv6Groups(hostname.slice(1, -1))
    return groups === undefined ? "a malformed IPv6 address" : ipv6Kind(groups)
  }
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname)
  if (ipv4 !== null) return ipv4Kind(ipv4Number(ipv4.slice(1).map(Number)))
  const name = hostname.replace(/\.+$/, "")
  if (name === "localhost" || name.endsWith(".localhost")) return "localhost"
  // The parser only leaves a numeric last label on malformed hosts (`127.0.0.1..`):
  // resolvers may still read them as addresses.
  if (/(^|\.)(\d+|0x[0-9a-f]*)$/.test(name)) return "a malformed host"
  if (name === "" || name.split(".").includes("")) return "a malformed host"
  return undefined
}
