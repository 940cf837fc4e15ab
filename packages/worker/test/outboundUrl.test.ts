// The outbound URL policy as a pure function, in workerd: its URL parser is the one
// `fetch` uses here, so what these tests canonicalise is what the gateway would reach.
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseClients } from "../src/config/ClientConfig.js"
import { parseOutboundAllowList } from "../src/security/outboundAllowList.js"
import { checkOutboundUrl, MAX_OUTBOUND_URL_LENGTH } from "../src/security/outboundUrl.js"
import { parsePublicOrigin } from "../src/security/publicOrigin.js"

const none: ReadonlySet<string> = new Set()

const allowList = (text: string): ReadonlySet<string> => {
  const parsed = parseOutboundAllowList(text)
  if (!parsed.ok) throw new Error(parsed.reason)
  return parsed.value
}

const refused = (url: string, allow = none) => {
  const check = checkOutboundUrl(url, allow)
  return check.ok ? undefined : check.reason
}

describe("the assumption: WHATWG URL canonicalises every spelling of a host, like fetch", () => {
  it.each([
    ["http://127.1/", "127.0.0.1"],
    ["http://2130706433/", "127.0.0.1"],
    ["http://0x7f.0.0.1/", "127.0.0.1"],
    ["http://0X7F000001/", "127.0.0.1"],
    ["http://0177.0.0.1/", "127.0.0.1"],
    ["http://127.0.0.1./", "127.0.0.1"],
    ["http://%31%32%37.0.0.1/", "127.0.0.1"],
    ["http://１２７.０.０.１/", "127.0.0.1"],
    ["http://0/", "0.0.0.0"],
    ["http://[::ffff:127.0.0.1]/", "[::ffff:7f00:1]"],
    ["http://[0:0:0:0:0:FFFF:7F00:0001]/", "[::ffff:7f00:1]"],
    ["http://[::127.0.0.1]/", "[::7f00:1]"],
    ["http://[0000::0001]/", "[::1]"],
    ["http://[FE80::1]/", "[fe80::1]"],
    ["http://LocalHost./", "localhost."],
    ["http://%6c%6f%63%61%6c%68%6f%73%74/", "localhost"],
  ])("%s has host %s", (input, hostname) => {
    expect(new URL(input).hostname).toBe(hostname)
    // What fetch is handed is the same canonical URL.
    expect(new URL(new Request(input).url).hostname).toBe(hostname)
  })
})

describe("checkOutboundUrl", () => {
  it("accepts public https URLs and answers them canonical", () => {
    expect(checkOutboundUrl("https://Hooks.Example.com/voice?x=1", none)).toEqual({
      ok: true,
      url: "https://hooks.example.com/voice?x=1",
    })
    expect(checkOutboundUrl("https://8.8.8.8:8443/", none).ok).toBe(true)
    expect(checkOutboundUrl("https://[2606:4700:4700::1111]/", none).ok).toBe(true)
  })

  it.each([
    ["http://127.0.0.1:8788/__emulator/reset", "loopback"],
    ["https://127.0.0.1/", "loopback"],
    ["https://127.1/", "loopback"],
    ["https://2130706433/", "loopback"],
    ["https://0x7f.0.0.1/", "loopback"],
    ["https://0177.0.0.1/", "loopback"],
    ["https://127.0.0.1./", "loopback"],
    ["https://[::1]/", "loopback"],
    ["https://[::ffff:127.0.0.1]/", "loopback"],
    ["https://[::ffff:7f00:1]/", "loopback"],
    ["https://[::127.0.0.1]/", "loopback"],
    ["https://[64:ff9b::7f00:1]/", "loopback"],
    ["https://[2002:7f00:1::]/", "loopback"],
    ["https://localhost/", "localhost"],
    ["https://LOCALHOST./", "localhost"],
    ["https://api.localhost/", "localhost"],
    ["https://%6c%6f%63%61%6c%68%6f%73%74/", "localhost"],
    ["https://10.1.2.3/", "private"],
    ["https://172.16.0.1/", "private"],
    ["https://172.31.255.255/", "private"],
    ["https://192.168.1.1/", "private"],
    ["https://[::ffff:192.168.0.1]/", "private"],
    ["https://169.254.169.254/latest/meta-data/", "link-local"],
    ["https://[fe80::1]/", "link-local"],
    ["https://[febf::1]/", "link-local"],
    ["https://100.64.0.1/", "carrier-grade NAT"],
    ["https://100.127.255.255/", "carrier-grade NAT"],
    ["https://[fc00::1]/", "unique-local"],
    ["https://[fdff::1]/", "unique-local"],
    ["https://0.0.0.0/", "unspecified"],
    ["https://0/", "unspecified"],
    ["https://[::]/", "unspecified"],
    ["https://224.0.0.1/", "multicast"],
    ["https://[ff02::1]/", "multicast"],
    ["https://255.255.255.255/", "broadcast"],
    ["https://240.0.0.1/", "reserved"],
    ["https://u:p@hooks.example.com/", "user name"],
    ["https://u@hooks.example.com/", "user name"],
    ["http://hooks.example.com/", "https"],
    ["ftp://hooks.example.com/", "https"],
    ["javascript:alert(1)", "https"],
    ["data:text/plain,x", "https"],
    ["/relative/path", "absolute"],
    ["https://", "absolute"],
    ["https://127.0.0.1../", "host"],
    ["https://1.2.3.4.5/", "absolute"],
  ])("refuses %s (%s)", (url, reason) => {
    expect(refused(url)).toContain(reason)
  })

  it("refuses URLs longer than 2,048 characters, before and after canonicalisation", () => {
    const base = "https://hooks.example.com/"
    expect(refused(base + "a".repeat(MAX_OUTBOUND_URL_LENGTH - base.length))).toBeUndefined()
    expect(refused(base + "a".repeat(MAX_OUTBOUND_URL_LENGTH - base.length + 1))).toContain("2048")
    expect(refused(base + "a".repeat(48 * 1024))).toContain("2048")
    // Each é is one character given, six once percent-encoded.
    expect(refused(`${base}${"é".repeat(400)}`)).toContain("2048")
  })

  it("never quotes the URL in its reason (it may hold a secret)", () => {
    for (const url of [
      "https://user:hunter2@hooks.example.com/",
      "http://hooks.example.com/hunter2",
      "https://127.0.0.1/hunter2",
      `https://hooks.example.com/hunter2${"x".repeat(3000)}`,
    ])
      expect(refused(url)).not.toContain("hunter2")
  })

  it("lets through plain http and local hosts listed exactly as host:port", () => {
    const allow = allowList("127.0.0.1:8789,hooks.test:80")
    expect(checkOutboundUrl("http://127.0.0.1:8789/webhooks/voice", allow)).toEqual({
      ok: true,
      url: "http://127.0.0.1:8789/webhooks/voice",
    })
    // Listed in canonical form: any spelling of the same host:port matches.
    expect(checkOutboundUrl("http://127.1:8789/x", allow).ok).toBe(true)
    expect(checkOutboundUrl("http://hooks.test/alpha", allow).ok).toBe(true)
    expect(checkOutboundUrl("http://HOOKS.test:80/alpha", allow).ok).toBe(true)
    // Another port, another host, user-info, or length: still refused.
    expect(refused("http://127.0.0.1:8788/__emulator/reset", allow)).toContain("loopback")
    expect(refused("https://127.0.0.1/", allow)).toContain("loopback")
    expect(refused("http://hooks.test:8080/", allow)).toContain("https")
    expect(refused("http://u:p@hooks.test/", allow)).toContain("user name")
    expect(refused(`http://hooks.test/${"a".repeat(3000)}`, allow)).toContain("2048")
  })
})

describe("parseOutboundAllowList", () => {
  it("canonicalises host:port entries", () => {
    expect([...allowList(" 127.0.0.1:8789 , LocalHost:80,[0::1]:8080,")]).toEqual([
      "127.0.0.1:8789",
      "localhost:80",
      "[::1]:8080",
    ])
    expect(allowList("").size).toBe(0)
    expect(parseOutboundAllowList(undefined)).toEqual({ ok: true, value: new Set() })
  })

  it.each([
    "hooks.test",
    "http://hooks.test:80",
    "hooks.test:80/path",
    "u@hooks.test:80",
    "hooks.test:99999",
    ":80",
  ])("refuses the entry %s, naming the binding", (entry) => {
    const parsed = parseOutboundAllowList(`127.0.0.1:8789,${entry}`)
    expect(!parsed.ok && parsed.reason).toContain("OUTBOUND_HTTP_ALLOW[1]")
  })
})

describe("parsePublicOrigin", () => {
  it("takes an absolute http(s) origin, trailing slash allowed", () => {
    expect(parsePublicOrigin("https://Gateway.Example.com/")).toEqual({
      ok: true,
      value: "https://gateway.example.com",
    })
    expect(parsePublicOrigin("http://127.0.0.1:8787")).toEqual({
      ok: true,
      value: "http://127.0.0.1:8787",
    })
  })

  it.each([
    "gateway.example.com",
    "ftp://gateway.example.com",
    "https://gateway.example.com/prefix",
    "https://gateway.example.com/?q",
    "https://u:p@gateway.example.com",
    "https://",
  ])("refuses %s, naming PUBLIC_URL", (text) => {
    const parsed = parsePublicOrigin(text)
    expect(!parsed.ok && parsed.reason).toContain("PUBLIC_URL")
  })
})

describe("CLIENTS webhookUrl", () => {
  const entry = (webhookUrl: string) =>
    JSON.stringify([
      {
        id: "a",
        tokenSha256: "0".repeat(64),
        webhookUrl,
        webhookSecret: "whsec_YWxwaGEtd2ViaG9vay1zZWNyZXQ=",
      },
    ])

  it("passes the outbound policy, named by path, never quoted", () => {
    const bad = parseClients(entry("https://admin:hunter2@10.0.0.1/hook"), none)
    expect(!bad.ok && bad.reason).toMatch(/^CLIENTS\[0\]\.webhookUrl must not/)
    expect(!bad.ok && bad.reason).not.toContain("hunter2")
    const local = parseClients(entry("http://127.0.0.1:8789/webhooks/voice"), none)
    expect(!local.ok && local.reason).toContain("CLIENTS[0].webhookUrl must not")
    expect(!local.ok && local.reason).toContain("loopback")
    const plain = parseClients(entry("http://hooks.example.com/voice"), none)
    expect(!plain.ok && plain.reason).toContain("CLIENTS[0].webhookUrl must use https")
    const allowed = parseClients(
      entry("http://127.0.0.1:8789/webhooks/voice"),
      allowList("127.0.0.1:8789"),
    )
    expect(allowed.ok && allowed.value[0]?.webhookUrl).toBe("http://127.0.0.1:8789/webhooks/voice")
  })
})

// --- properties ---------------------------------------------------------------------

const byte = fc.integer({ min: 0, max: 255 })

/** IPv4 addresses the policy must refuse, as 32-bit numbers. */
const forbiddenIpv4 = fc
  .oneof(
    fc.tuple(fc.constant(127), byte, byte, byte),
    fc.tuple(fc.constant(10), byte, byte, byte),
    fc.tuple(fc.integer({ min: 16, max: 31 }), byte, byte).map(([b, c, d]) => [172, b, c, d]),
    fc.tuple(byte, byte).map(([c, d]) => [192, 168, c, d]),
    fc.tuple(byte, byte).map(([c, d]) => [169, 254, c, d]),
    fc.tuple(fc.integer({ min: 64, max: 127 }), byte, byte).map(([b, c, d]) => [100, b, c, d]),
    fc.tuple(fc.constant(0), byte, byte, byte),
    fc.tuple(fc.integer({ min: 224, max: 255 }), byte, byte, byte),
  )
  .map((octets) => octets.reduce((n, o) => n * 256 + o, 0))

const radix = (n: number, kind: "dec" | "hex" | "HEX" | "oct"): string =>
  kind === "dec"
    ? String(n)
    : kind === "hex"
      ? `0x${n.toString(16)}`
      : kind === "HEX"
        ? `0X${n.toString(16).toUpperCase()}`
        : `0${n.toString(8)}`

const anyRadix = fc.constantFrom("dec", "hex", "HEX", "oct") as fc.Arbitrary<
  "dec" | "hex" | "HEX" | "oct"
>

/** Every way the IPv4 host parser takes: 1 to 4 parts, each in any radix. */
const ipv4Spelling = (n: number) =>
  fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.array(anyRadix, { minLength: 4, maxLength: 4 }))
    .map(([parts, radices]) => {
      const octets = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
      const head = octets.slice(0, parts - 1)
      const tail = octets.slice(parts - 1).reduce((a, o) => a * 256 + o, 0)
      return [...head, tail].map((v, i) => radix(v, radices[i] ?? "dec")).join(".")
    })

const hex16 = (n: number) => n.toString(16)

/** IPv4-mapped and -compatible IPv6 spellings of an IPv4 address. */
const ipv6Embedding = (n: number) =>
  fc.constantFrom(
    `[::ffff:${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}]`,
    `[::ffff:${hex16(n >>> 16)}:${hex16(n & 0xffff)}]`,
    `[0:0:0:0:0:FFFF:${hex16(n >>> 16).toUpperCase()}:${hex16(n & 0xffff)}]`,
    `[::${hex16(n >>> 16)}:${hex16(n & 0xffff)}]`,
    `[64:ff9b::${hex16(n >>> 16)}:${hex16(n & 0xffff)}]`,
  )

const group = fc.integer({ min: 0, max: 0xffff })
const forbiddenIpv6 = fc.oneof(
  fc.constantFrom("[::1]", "[0:0:0:0:0:0:0:1]", "[::0:1]", "[0000::0001]", "[::]", "[0::0]"),
  fc
    .tuple(fc.integer({ min: 0xfe80, max: 0xfebf }), group, group)
    .map(([a, b, c]) => `[${hex16(a)}::${hex16(b)}:${hex16(c)}]`),
  fc
    .tuple(fc.integer({ min: 0xfc00, max: 0xfdff }), group, group)
    .map(([a, b, c]) => `[${hex16(a).toUpperCase()}:${hex16(b)}::${hex16(c)}]`),
  fc
    .tuple(fc.integer({ min: 0xff00, max: 0xffff }), group)
    .map(([a, b]) => `[${hex16(a)}::${hex16(b)}]`),
)

const percentEncodeSome = (text: string, mask: ReadonlyArray<boolean>) =>
  [...text]
    .map((ch, i) =>
      mask[i % mask.length] && /[0-9a-z]/i.test(ch)
        ? `%${ch.charCodeAt(0).toString(16).padStart(2, "0")}`
        : ch,
    )
    .join("")

const randomCase = (text: string, mask: ReadonlyArray<boolean>) =>
  [...text].map((ch, i) => (mask[i % mask.length] ? ch.toUpperCase() : ch)).join("")

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9]{0,10}-?[a-z0-9]{1,10})?$/)
const localhostName = fc
  .tuple(fc.array(label, { maxLength: 2 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 9 }))
  .map(([subs, mask]) => randomCase([...subs, "localhost"].join("."), mask))

const forbiddenHost = fc
  .tuple(
    fc.oneof(
      forbiddenIpv4.chain(ipv4Spelling),
      forbiddenIpv4.chain(ipv6Embedding),
      forbiddenIpv6,
      localhostName,
    ),
    fc.boolean(),
    fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
  )
  .map(([host, trailingDot, mask]) => {
    if (host.startsWith("[")) return host
    const dotted = trailingDot ? `${host}.` : host
    return mask.some(Boolean) && !mask.every(Boolean) ? percentEncodeSome(dotted, mask) : dotted
  })

const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })
const path = fc.webPath()

describe("properties", () => {
  it("every generated spelling of a forbidden address is refused", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("http", "https", "HTTPS"),
        forbiddenHost,
        port,
        path,
        (scheme, host, p, rest) => {
          const url = `${scheme}://${host}${p === undefined ? "" : `:${p}`}${rest}`
          // Every spelling is one fetch would take: refused for its address, not its syntax.
          expect(URL.canParse(url), url).toBe(true)
          const check = checkOutboundUrl(url, allowList("hooks.test:80,public.example:443"))
          expect(check.ok, url).toBe(false)
          if (!check.ok) expect(check.reason, url).toMatch(/^must not point at /)
        },
      ),
      { numRuns: 2000 },
    )
  })

  const tld = fc.stringMatching(/^[a-z]{2,10}$/).filter((t) => t !== "localhost")
  const domain = fc
    .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), tld)
    .map(([labels, t]) => [...labels, t].join("."))
  const publicIpv4 = fc
    .tuple(fc.integer({ min: 1, max: 223 }), byte, byte, fc.integer({ min: 1, max: 254 }))
    .filter(
      ([a, b]) =>
        a !== 10 &&
        a !== 127 &&
        !(a === 100 && b >= 64 && b <= 127) &&
        !(a === 169 && b === 254) &&
        !(a === 172 && b >= 16 && b <= 31) &&
        !(a === 192 && (b === 168 || b === 0)) &&
        !(a === 198 && (b === 18 || b === 19)),
    )
    .map((octets) => octets.join("."))

  it("generated public https URLs are accepted, canonical and as fetch sees them", () => {
    fc.assert(
      fc.property(
        fc.oneof(domain, publicIpv4),
        port,
        path,
        fc.option(fc.webQueryParameters(), { nil: undefined }),
        (host, p, rest, query) => {
          const url = `https://${host}${p === undefined ? "" : `:${p}`}${rest}${query === undefined ? "" : `?${query}`}`
          fc.pre(url.length <= MAX_OUTBOUND_URL_LENGTH)
          const check = checkOutboundUrl(url, none)
          expect(check, url).toEqual({ ok: true, url: new URL(url).href })
          if (check.ok) expect(new Request(check.url).url).toBe(check.url)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it("nothing throws, whatever the input", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "grapheme", maxLength: 80 }),
          fc.string({ unit: "binary", maxLength: 80 }),
          fc.webUrl({ withFragments: true, withQueryParameters: true }),
          fc
            .tuple(fc.constantFrom("http://", "https://", "https://[", "http://0x"), fc.string())
            .map(([a, b]) => a + b),
        ),
        (input) => {
          const check = checkOutboundUrl(input, allowList("hooks.test:80"))
          expect(typeof check.ok).toBe("boolean")
          if (!check.ok) expect(check.reason.length).toBeGreaterThan(0)
        },
      ),
      { numRuns: 2000 },
    )
  })
})
