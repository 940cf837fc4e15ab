// Voice Partner's own documented samples (shared/seeds: "Déposer un message vocal" and
// "Envoyer un SMS vocal"), each sent the way its language sends it, with only the URL and
// the key changed: once to the gateway in drop-in mode (a client token as `apiKey`), once
// to the emulator (our model of the provider). Both must answer alike — status, top-level
// fields — and the receiver of the send's `notifyUrl` must get the same callbacks.
//
// Two variants of each sample:
// - verbatim: the body as published (its placeholders `06xxxxxxxx`, `TOKEN_AUDIO`… kept),
//   only the key changed: both refuse it the same way;
// - working: its placeholders filled with values the test accounts have (a number, the
//   emulator's audio file, a receiver for `notifyUrl`), and its optional lines that the
//   sample leaves commented out (`speed`, `notifyUrl`, `speechRate`, `lang`) enabled, so
//   that it sends and calls back. A sample that is not valid JSON is also sent corrected.
//
// What cannot be reproduced (see each sample's `note`): the `http://` of some samples (the
// test uses the gateway's and the emulator's own URLs, and what the real provider does on
// plain http is unknown), and the cURL samples pasted as printed (their line breaks have no
// `\`: the shell runs `curl -X POST '<url>'` alone, a POST without a body, reproduced as
// `pasted`; the "Exemple" blocks then run `curl -X POST` without a URL, which sends nothing).
import { env, runDurableObjectAlarm, SELF } from "cloudflare:test"
import { signWebhook, verifyWebhook } from "@voicepartner/core/webhooks/standardWebhooks"
import { createEmulator, type InProcessEmulator } from "@voicepartner/emulator"
import { beforeEach, describe, expect, it, vi } from "vitest"
import { useHarness } from "./harness.js"
import { SECRETS, TOKENS } from "./testEnv.js"

const h = useHarness()

// ---------------------------------------------------------------------------------------
// How each language writes JSON.

/** A JSON number written as the language writes it (Newtonsoft writes `1.0` as `1.0`). */
interface Raw {
  readonly raw: string
}
type Value = string | Raw
type Entries = ReadonlyArray<readonly [string, Value]>

interface JsonStyle {
  /** Between a key and its value, and between members (Python: `": "`, `", "`). */
  readonly colon: string
  readonly comma: string
  /** Escapes of the language beyond JSON's own (`"`, `\`, control characters). */
  readonly escape: (ch: string) => string | undefined
}

const hex4 = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`
const nonAscii = (ch: string) => (ch.charCodeAt(0) > 0x7e ? hex4(ch) : undefined)

const styles = {
  /** PHP `json_encode`: `/` escaped, non-ASCII as `\uXXXX`. */
  php: { colon: ":", comma: ",", escape: (ch) => (ch === "/" ? "\\/" : nonAscii(ch)) },
  /** Python `json.dumps` (what `requests` uses for `json=` too): spaces, `ensure_ascii`. */
  python: { colon: ": ", comma: ", ", escape: nonAscii },
  /** Go `encoding/json`: `<`, `>`, `&`, U+2028 and U+2029 escaped. */
  go: {
    colon: ":",
    comma: ",",
    escape: (ch) => (/[<>&\u2028\u2029]/.test(ch) ? hex4(ch) : undefined),
  },
  /** Newtonsoft.Json (C#, VB.net) and JavaScript's `JSON.stringify` (axios): JSON's own only. */
  plain: { colon: ":", comma: ",", escape: () => undefined },
} satisfies Record<string, JsonStyle>

const jsonString = (text: string, style: JsonStyle): string => {
  let out = '"'
  for (const ch of text) {
    const own = style.escape(ch)
    if (own !== undefined) out += own
    else if (ch === '"' || ch === "\\") out += `\\${ch}`
    else if (ch === "\n") out += "\\n"
    else if (ch === "\r") out += "\\r"
    else if (ch === "\t") out += "\\t"
    else if (ch.charCodeAt(0) < 0x20) out += hex4(ch)
    else out += ch
  }
  return `${out}"`
}

const writeJson = (entries: Entries, style: JsonStyle): string =>
  `{${entries
    .map(
      ([k, v]) =>
        `${jsonString(k, style)}${style.colon}${typeof v === "string" ? jsonString(v, style) : v.raw}`,
    )
    .join(style.comma)}}`

// ---------------------------------------------------------------------------------------
// The samples.

type Variant = "verbatim" | "working" | "corrected" | "pasted"

interface Sent {
  readonly body: string | undefined
  readonly headers: Readonly<Record<string, string>>
}

interface Sample {
  readonly id: string
  readonly path: "/v1/campaign/send" | "/v1/tts/send"
  /** The URL the sample posts to, as published (http or https). */
  readonly published: string
  /** What it sends, with `key` as its API key; `undefined`: this variant does not exist. */
  readonly send: (key: string, variant: Variant) => Sent | undefined
  /** Status and code both must answer, per variant. */
  readonly expected: Partial<Record<Variant, readonly [number, (string | number)?]>>
  readonly note?: string
}

/** Headers each HTTP client adds besides the sample's own (as observed from each). */
const clients = {
  phpCurl: { accept: "*/*" },
  dotnet: {},
  requests: {
    "user-agent": "python-requests/2.32.3",
    "accept-encoding": "gzip, deflate",
    accept: "*/*",
  },
  curl: { "user-agent": "curl/8.5.0", accept: "*/*" },
  axios: { accept: "application/json, text/plain, */*", "user-agent": "axios/1.7.7" },
  java: { "user-agent": "Java-http-client/17.0.15" },
  go: { "user-agent": "Go-http-client/1.1", "accept-encoding": "gzip" },
}

const RECEIVER = "http://hooks.test"
const NUMBER = "0612345601"
const NUMBERS = "0612345601,0612345699"
const AUDIO = "dev-audio"
const NEXT_YEAR = new Date().getUTCFullYear() + 1

/**
 * A sample whose body is built from fields: `fields(key)` as published, `working` the
 * placeholders filled and the optional (commented-out) fields enabled.
 */
const structured = (
  options: Omit<Sample, "send"> & {
    readonly fields: (key: string) => Entries
    readonly working: (key: string, id: string) => Entries
    readonly style: JsonStyle
    readonly headers: Readonly<Record<string, string>>
  },
): Sample => ({
  ...options,
  send: (key, variant) =>
    variant === "verbatim" || variant === "working"
      ? {
          body: writeJson(
            variant === "verbatim" ? options.fields(key) : options.working(key, options.id),
            options.style,
          ),
          headers: options.headers,
        }
      : undefined,
})

/**
 * A sample whose body is a literal text (cURL `-d '…'`, a Java text block): sent as
 * written, the key replaced; `working` fills the placeholders; `corrected` also makes it
 * valid JSON when it is not.
 */
const literal = (
  options: Omit<Sample, "send"> & {
    readonly text: string
    readonly keyPlaceholder: string
    readonly fill: ReadonlyArray<readonly [string, string]>
    readonly correct?: (text: string) => string
    readonly headers: Readonly<Record<string, string>>
    /** Printed without line continuations: pasted, only `curl -X POST '<url>'` runs. */
    readonly pastedRunsUrlLine: boolean
  },
): Sample => ({
  ...options,
  send: (key, variant) => {
    const withKey = options.text.replace(options.keyPlaceholder, key)
    const filled = (id: string) =>
      options.fill.reduce((t, [from, to]) => t.replace(from, to.replace("{id}", id)), withKey)
    switch (variant) {
      case "verbatim":
        return { body: withKey, headers: options.headers }
      case "working":
        return options.correct === undefined
          ? { body: filled(options.id), headers: options.headers }
          : undefined
      case "corrected":
        return options.correct === undefined
          ? undefined
          : { body: options.correct(filled(options.id)), headers: options.headers }
      case "pasted":
        return options.pastedRunsUrlLine ? { body: undefined, headers: clients.curl } : undefined
    }
  },
})

const json = { "content-type": "application/json" }
const noCache = { "cache-control": "no-cache" }

const vms: ReadonlyArray<Sample> = [
  structured({
    id: "vms-php",
    path: "/v1/campaign/send",
    published: "https://api.voicepartner.fr/v1/campaign/send",
    style: styles.php,
    headers: { ...clients.phpCurl, ...json, ...noCache },
    fields: (key) => [
      ["apiKey", key],
      ["tokenAudio", "TOKEN_AUDIO"],
      ["emailForNotification", "email@example.com"],
      ["phoneNumbers", "06xxxxxxxx"],
    ],
    working: (key, id) => [
      ["apiKey", key],
      ["tokenAudio", AUDIO],
      ["emailForNotification", "email@example.com"],
      ["phoneNumbers", NUMBERS],
      // 'notifyUrl' => 'https://your.notify.url', // Optionnel
      ["notifyUrl", `${RECEIVER}/${id}`],
    ],
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [200] },
  }),
  structured({
    id: "vms-vbnet",
    path: "/v1/campaign/send",
    published: "https://api.voicepartner.fr/v1/campaign/send",
    style: styles.plain,
    headers: { ...clients.dotnet, "content-type": "application/json; charset=utf-8" },
    fields: (key) => [
      ["apiKey", key],
      ["tokenAudio", "YOUR_TOKEN_AUDIO"],
      ["emailForNotification", "your@mail.com"],
      ["phoneNumbers", "06XXXXXXXX"],
    ],
    working: (key) => [
      ["apiKey", key],
      ["tokenAudio", AUDIO],
      ["emailForNotification", "your@mail.com"],
      ["phoneNumbers", NUMBER],
    ],
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [200] },
  }),
  structured({
    id: "vms-python",
    path: "/v1/campaign/send",
    published: "https://api.voicepartner.fr/v1/campaign/send",
    // requests.post(url, json=data, headers=headers): json.dumps, the given Content-Type.
    style: styles.python,
    headers: { ...clients.requests, ...json, ...noCache },
    fields: (key) => [
      ["apiKey", key],
      ["tokenAudio", "TOKEN_AUDIO"],
      ["emailForNotification", "email@example.com"],
      ["phoneNumbers", "06xxxxxxxx"],
    ],
    working: (key, id) => [
      ["apiKey", key],
      ["tokenAudio", AUDIO],
      ["emailForNotification", "email@example.com"],
      ["phoneNumbers", NUMBER],
      ["notifyUrl", `${RECEIVER}/${id}?source=python`],
    ],
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [200] },
  }),
  literal({
    id: "vms-curl",
    path: "/v1/campaign/send",
    published: "https://api.voicepartner.fr/v1/campaign/send",
    headers: { ...clients.curl, ...json },
    keyPlaceholder: "YOUR_API_KEY",
    text: `{
          "apiKey": "YOUR_API_KEY",
          "tokenAudio": "TOKEN_AUDIO",
          "emailForNotification": "email@example.com",
          "phoneNumbers": "06xxxxxxxx"
          // ... autres paramètres si nécessaire
         }`,
    fill: [
      ['"TOKEN_AUDIO"', `"${AUDIO}"`],
      ['"06xxxxxxxx"', `"${NUMBER}"`],
    ],
    correct: (text) => text.replace(/\n\s*\/\/[^\n]*/, ""),
    pastedRunsUrlLine: true,
    expected: { verbatim: [400, 90], corrected: [200], pasted: [400, 90] },
    note: "not valid JSON (a // comment); printed without line continuations",
  }),
  structured({
    id: "vms-nodejs",
    path: "/v1/campaign/send",
    published: "https://api.voicepartner.fr/v1/campaign/send",
    // axios.post(url, data): JSON.stringify, Content-Type: application/json.
    style: styles.plain,
    headers: { ...clients.axios, ...json },
    fields: (key) => [
      ["apiKey", key],
      ["tokenAudio", "TOKEN_AUDIO"],
      ["emailForNotification", "email@example.com"],
      ["phoneNumbers", "06xxxxxxxx"],
    ],
    working: (key) => [
      ["apiKey", key],
      ["tokenAudio", AUDIO],
      ["emailForNotification", "email@example.com"],
      ["phoneNumbers", NUMBER],
    ],
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [200] },
  }),
  literal({
    id: "vms-java",
    path: "/v1/campaign/send",
    published: "https://api.voicepartner.fr/v1/campaign/send",
    headers: { ...clients.java, ...json },
    keyPlaceholder: "YOUR_API_KEY",
    // The text block, its common indentation stripped, with its final line break.
    text: `{
    "apiKey": "YOUR_API_KEY",
    "tokenAudio": "tokenAudio",
    "emailForNotification": "email@example.com",
    "phoneNumbers": "06XXXXXXXX"
     // ... autres paramètres si nécessaire
}
`,
    fill: [
      ['"tokenAudio": "tokenAudio"', `"tokenAudio": "${AUDIO}"`],
      ['"06XXXXXXXX"', `"${NUMBER}"`],
    ],
    correct: (text) => text.replace(/\n\s*\/\/[^\n]*/, ""),
    pastedRunsUrlLine: false,
    expected: { verbatim: [400, 90], corrected: [200] },
    note: "not valid JSON (a // comment in the text block)",
  }),
  structured({
    id: "vms-go",
    path: "/v1/campaign/send",
    published: "https://api.voicepartner.fr/v1/campaign/send",
    style: styles.go,
    headers: { ...clients.go, ...json },
    // json.Marshal of the struct: its field order, nil pointers omitted (omitempty).
    fields: (key) => [
      ["apiKey", key],
      ["tokenAudio", "TOKEN_AUDIO"],
      ["emailForNotification", "email@exemple.com"],
      ["phoneNumbers", "06xxxxxxxx"],
    ],
    working: (key, id) => [
      ["apiKey", key],
      ["tokenAudio", AUDIO],
      ["emailForNotification", "email@exemple.com"],
      ["phoneNumbers", NUMBERS],
      // NotifyUrl: &notifyUrl, // Uncomment to use
      ["notifyUrl", `${RECEIVER}/${id}?a=1&b=<2>`],
    ],
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [200] },
    note: 'does not compile as printed ("Error: %s\\n" lost its \\n): sent as it would once fixed',
  }),
  structured({
    id: "vms-csharp",
    path: "/v1/campaign/send",
    published: "https://api.voicepartner.fr/v1/campaign/send",
    style: styles.plain,
    headers: { ...clients.dotnet, "content-type": "application/json; charset=utf-8" },
    fields: (key) => [
      ["apiKey", key],
      ["tokenAudio", "TOKEN_AUDIO"],
      ["emailForNotification", "email@example.com"],
      ["phoneNumbers", "06xxxxxxxx"],
    ],
    working: (key) => [
      ["apiKey", key],
      ["tokenAudio", AUDIO],
      ["emailForNotification", "email@example.com"],
      ["phoneNumbers", NUMBER],
    ],
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [200] },
  }),
  literal({
    id: "vms-exemple",
    path: "/v1/campaign/send",
    published: "http://api.voicepartner.fr/v1/campaign/send",
    headers: {
      ...clients.curl,
      ...json,
      "postman-token": "40756d00-a7f3-4162-8513-bd6a13328cc3",
      ...noCache,
    },
    keyPlaceholder: "YOUR-API-KEY",
    text: `{
"apiKey":"YOUR-API-KEY",
"phoneNumbers":"06XXXXXXXX",
"tokenAudio":"TOKEN-AUDIO"
}`,
    fill: [
      ['"06XXXXXXXX"', `"${NUMBER}"`],
      ['"TOKEN-AUDIO"', `"${AUDIO}"`],
    ],
    pastedRunsUrlLine: false,
    // No emailForNotification: both refuse it (the table lists it as required).
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [400, "EMAIL_INVALID"] },
    note: "plain http; printed without line continuations (pasted, `curl -X POST` has no URL)",
  }),
]

const tts: ReadonlyArray<Sample> = [
  structured({
    id: "tts-php",
    path: "/v1/tts/send",
    published: "http://api.voicepartner.fr/v1/tts/send",
    style: styles.php,
    headers: { ...clients.phpCurl, ...json, ...noCache },
    fields: (key) => [
      ["apiKey", key],
      ["phoneNumbers", "06XXXXXXXX"],
      ["text", "Mon premier test"],
    ],
    working: (key, id) => [
      ["apiKey", key],
      ["phoneNumbers", NUMBERS],
      ["text", "Mon premier test"],
      // 'speed' => '1', 'notifyUrl' => 'http://...', // Optionnel
      ["speed", "1"],
      ["notifyUrl", `${RECEIVER}/${id}`],
    ],
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [200] },
    note: "plain http",
  }),
  structured({
    id: "tts-vbnet",
    path: "/v1/tts/send",
    published: "http://api.voicepartner.fr/v1/tts/send",
    style: styles.plain,
    headers: { ...clients.dotnet, "content-type": "application/json; charset=utf-8" },
    fields: (key) => [
      ["apiKey", key],
      ["phoneNumbers", "06XXXXXXXX"],
      ["text", "Mon premier test"],
    ],
    working: (key) => [
      ["apiKey", key],
      ["phoneNumbers", NUMBER],
      ["text", "Mon premier test"],
    ],
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [200] },
    note: "plain http",
  }),
  structured({
    id: "tts-python",
    path: "/v1/tts/send",
    published: "http://api.voicepartner.fr/v1/tts/send",
    // requests.post(url, data=json.dumps(data), headers=headers): the same bytes as json=.
    style: styles.python,
    headers: { ...clients.requests, ...json, ...noCache },
    fields: (key) => [
      ["apiKey", key],
      ["phoneNumbers", "06XXXXXXXX"],
      ["text", "Mon premier test"],
    ],
    working: (key, id) => [
      ["apiKey", key],
      ["phoneNumbers", NUMBERS],
      ["text", "Mon premier test"],
      ["speed", "1"],
      ["notifyUrl", `${RECEIVER}/${id}`],
    ],
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [200] },
    note: "plain http",
  }),
  literal({
    id: "tts-curl",
    // The voice SMS page's cURL tab posts to the voicemail drop endpoint.
    path: "/v1/campaign/send",
    published: "https://api.voicepartner.fr/v1/campaign/send",
    headers: { ...clients.curl, ...json },
    keyPlaceholder: "YOUR_API_KEY",
    text: `{
  "apiKey": "YOUR_API_KEY",
  "tokenAudio": "tokenAudio",
  "phoneNumbers": "06XXXXXXXX",
  "speechRate": 1,
  "notifyUrl": "http://votreurlderetour.com/callback",
  "scheduledDate": "2024-04-10T14:15:00"
}`,
    fill: [
      ['"tokenAudio": "tokenAudio"', `"tokenAudio": "${AUDIO}"`],
      ['"06XXXXXXXX"', `"${NUMBER}"`],
      ["http://votreurlderetour.com/callback", `${RECEIVER}/{id}`],
      ['"2024-04-10T14:15:00"', `"${NEXT_YEAR}-04-10T14:15:00"`],
    ],
    pastedRunsUrlLine: true,
    // A voicemail drop without emailForNotification: both refuse it.
    expected: {
      verbatim: [400, "DESTINATION_INVALID"],
      working: [400, "EMAIL_INVALID"],
      pasted: [400, 90],
    },
    note: "posts to /campaign/send; printed without line continuations",
  }),
  structured({
    id: "tts-nodejs",
    path: "/v1/tts/send",
    published: "http://api.voicepartner.fr/v1/tts/send",
    style: styles.plain,
    headers: { ...clients.axios, ...json },
    fields: (key) => [
      ["apiKey", key],
      ["phoneNumbers", "06XXXXXXXX"],
      ["text", "Mon premier test"],
    ],
    working: (key) => [
      ["apiKey", key],
      ["phoneNumbers", NUMBER],
      ["text", "Mon premier test"],
    ],
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [200] },
    note: "plain http",
  }),
  literal({
    id: "tts-java",
    path: "/v1/tts/send",
    published: "https://api.voicepartner.fr/v1/tts/send",
    headers: { ...clients.java, ...json },
    keyPlaceholder: "YOUR_API_KEY",
    text: `{
    "apiKey": "YOUR_API_KEY",
    "phoneNumbers": "06XXXXXXXX",
    "text": "Mon premier test",
    "speechRate": "1",
    "notifyUrl": "http://example.com/notify",
}
`,
    fill: [
      ['"06XXXXXXXX"', `"${NUMBERS}"`],
      ["http://example.com/notify", `${RECEIVER}/{id}`],
    ],
    correct: (text) => text.replace(/,(\s*)\}/, "$1}"),
    pastedRunsUrlLine: false,
    // Corrected, `speechRate: "1"` (a string) is read as the number 1.
    expected: { verbatim: [400, 90], corrected: [200] },
    note: "not valid JSON (a trailing comma)",
  }),
  structured({
    id: "tts-go",
    path: "/v1/tts/send",
    published: "http://api.voicepartner.fr/v1/tts/send",
    style: styles.go,
    headers: { ...clients.go, ...json },
    fields: (key) => [
      ["apiKey", key],
      ["text", "Votre texte ici"],
      ["phoneNumbers", "06XXXXXXXX"],
    ],
    working: (key, id) => [
      ["apiKey", key],
      ["text", "Votre texte ici"],
      ["phoneNumbers", NUMBERS],
      // Lang: &lang, SpeechRate: &speechRate (1.0 is written 1), NotifyUrl: &notifyUrl
      ["lang", "fr"],
      ["speechRate", { raw: "1" }],
      ["notifyUrl", `${RECEIVER}/${id}`],
    ],
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [200] },
    note: 'plain http; does not compile as printed ("Error: %s\\n" lost its \\n)',
  }),
  structured({
    id: "tts-csharp",
    path: "/v1/tts/send",
    published: "http://api.voicepartner.fr/v1/tts/send",
    style: styles.plain,
    headers: { ...clients.dotnet, "content-type": "application/json; charset=utf-8" },
    fields: (key) => [
      ["apiKey", key],
      ["text", "Votre texte ici"],
      ["phoneNumbers", "06XXXXXXXX"],
    ],
    working: (key, id) => [
      ["apiKey", key],
      ["text", "Votre texte ici"],
      ["phoneNumbers", NUMBER],
      // speechRate = 1.0 (Newtonsoft writes a double as 1.0), notifyUrl = "https://…"
      ["speechRate", { raw: "1.0" }],
      ["notifyUrl", `${RECEIVER}/${id}`],
    ],
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [200] },
    note: "plain http",
  }),
  literal({
    id: "tts-exemple",
    path: "/v1/tts/send",
    published: "http://api.voicepartner.fr/v1/tts/send",
    headers: { ...clients.curl, ...json, ...noCache },
    keyPlaceholder: "YOUR-API-KEY",
    text: `{
"apiKey":"YOUR-API-KEY",
"phoneNumbers":"06XXXXXXXX",
"speed":"1",
"text":"Mon premier test",
"notifyUrl":"http://..."
}`,
    fill: [
      ['"06XXXXXXXX"', `"${NUMBERS}"`],
      ['"http://..."', `"${RECEIVER}/{id}"`],
    ],
    pastedRunsUrlLine: false,
    expected: { verbatim: [400, "DESTINATION_INVALID"], working: [200] },
    note: "plain http; printed without line continuations (pasted, `curl -X POST` has no URL)",
  }),
]

// ---------------------------------------------------------------------------------------
// Running a sample against the emulator and the gateway.

const EMULATOR_KEY = "emulator-sample-key-2f9c"

interface Hook {
  readonly method: string
  readonly url: string
  readonly headers: Headers
  readonly body: string
}

/** Requests reaching the receiver (`hooks.test`), from the emulator or the gateway. */
let hooks: Array<Hook> = []
let reference: InProcessEmulator

beforeEach(() => {
  hooks = []
  const spy = vi.mocked(globalThis.fetch)
  const inner = spy.getMockImplementation() as typeof fetch
  spy.mockImplementation(async (input, init) => {
    const request = new Request(input, init)
    if (new URL(request.url).host === "hooks.test")
      hooks.push({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: await request.clone().text(),
      })
    return inner(request)
  })
  // The provider as the samples would reach it: its callbacks go straight to the receiver.
  reference = createEmulator({
    apiKeys: [EMULATOR_KEY],
    timers: false,
    callbackDelayMs: 0,
    fetch: (input, init) => globalThis.fetch(input, init),
  })
})

const request = (origin: string, sample: Sample, sent: Sent) =>
  new Request(`${origin}${sample.path}`, {
    method: "POST",
    headers: sent.headers,
    ...(sent.body !== undefined && { body: new TextEncoder().encode(sent.body) }),
  })

interface Outcome {
  readonly status: number
  // biome-ignore lint/suspicious/noExplicitAny: answers are compared field by field
  readonly json: any
  readonly hooks: ReadonlyArray<Hook>
}

const viaEmulator = async (sample: Sample, variant: Variant): Promise<Outcome> => {
  const sent = sample.send(EMULATOR_KEY, variant) as Sent
  const response = await reference.fetch(request("http://voicepartner.test", sample, sent))
  const json = await response.json()
  await reference.runDue()
  const seen = hooks
  hooks = []
  return { status: response.status, json, hooks: seen }
}

/** The webhook `CLIENTS` configures for the client `alpha` (test/testEnv.ts). */
const CLIENT_WEBHOOK = "http://hooks.test/alpha"

const ledger = () => env.LEDGER.get(env.LEDGER.idFromName("alpha"))

const viaGateway = async (sample: Sample, variant: Variant): Promise<Outcome> => {
  const sent = sample.send(TOKENS.alpha, variant) as Sent
  const response = await SELF.fetch(request("http://gateway.test", sample, sent))
  const text = await response.text()
  expect(text).not.toContain(TOKENS.alpha)
  await h.upstream.runDue()
  for (let i = 0; i < 20 && (await runDurableObjectAlarm(ledger())); i++);
  // A send without its own notifyUrl: its events go to the client's webhook, in the
  // gateway's envelope (what the provider would not have sent anywhere).
  const webhook = hooks.filter((hook) => hook.url === CLIENT_WEBHOOK)
  for (const hook of webhook) {
    const event = (await verifyWebhook({
      secret: SECRETS.alpha,
      headers: hook.headers,
      payload: hook.body,
    })) as { type: string }
    expect(["tts.status", "voicemail.status"]).toContain(event.type)
  }
  const seen = hooks.filter((hook) => hook.url !== CLIENT_WEBHOOK)
  hooks = []
  return { status: response.status, json: JSON.parse(text), hooks: seen }
}

/** The same answer: status, and every top-level field of the provider's (ids aside). */
const sameAnswer = (provider: Outcome, gateway: Outcome) => {
  expect(gateway.status).toBe(provider.status)
  // Beside the provider's fields the gateway may add only its `error` object and `warnings`.
  const added = Object.keys(gateway.json).filter((k) => !(k in provider.json))
  expect(added.filter((k) => k !== "error" && k !== "warnings")).toEqual([])
  for (const [key, value] of Object.entries(provider.json)) {
    if (key === "campaignId" || key === "message") expect(typeof gateway.json[key]).toBe("string")
    else expect({ [key]: gateway.json[key] }).toEqual({ [key]: value })
  }
}

const PARIS_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/

/** A callback as the receiver can compare it: the campaign's ids and the times replaced. */
const comparable = (hook: Hook, campaignId: string) => {
  const url = new URL(hook.url)
  const query = [...url.searchParams].map(([k, v]) => {
    if (k === "campaign_id") expect(v).toBe(campaignId)
    return [k, k === "campaign_id" || k === "campaign_token" ? `<${k}>` : v]
  })
  let body: unknown
  if (hook.body !== "") {
    const parsed = JSON.parse(hook.body) as Record<string, unknown>
    expect(parsed.campaignId).toBe(campaignId)
    for (const at of ["sendAt", "doneAt"]) expect(parsed[at]).toMatch(PARIS_TIME)
    body = { ...parsed, campaignId: "<campaignId>", sendAt: "<time>", doneAt: "<time>" }
  }
  return {
    method: hook.method,
    url: `${url.origin}${url.pathname}`,
    query,
    contentType: hook.headers.get("content-type"),
    body,
  }
}

const byContent = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b))

/** The gateway's callbacks carry the Standard Webhooks headers, signed with the client's secret. */
const signedByGateway = async (hook: Hook) => {
  if (hook.method === "POST")
    return verifyWebhook({ secret: SECRETS.alpha, headers: hook.headers, payload: hook.body })
  const signed = await signWebhook({
    secret: SECRETS.alpha,
    id: hook.headers.get("webhook-id") as string,
    timestamp: Number(hook.headers.get("webhook-timestamp")),
    payload: new URL(hook.url).search.slice(1),
  })
  expect(hook.headers.get("webhook-signature")).toBe(signed["webhook-signature"])
  return undefined
}

const run = async (sample: Sample, variant: Variant) => {
  const [status, code] = sample.expected[variant] as readonly [number, (string | number)?]
  const provider = await viaEmulator(sample, variant)
  const gateway = await viaGateway(sample, variant)
  expect(provider.status).toBe(status)
  if (code !== undefined) expect(provider.json.code).toBe(code)
  sameAnswer(provider, gateway)
  expect(
    gateway.hooks.map((hook) => comparable(hook, gateway.json.campaignId)).sort(byContent),
  ).toEqual(
    provider.hooks.map((hook) => comparable(hook, provider.json.campaignId)).sort(byContent),
  )
  for (const hook of provider.hooks) expect(hook.headers.get("webhook-signature")).toBeNull()
  for (const hook of gateway.hooks) await signedByGateway(hook)
  return { provider, gateway }
}

const cases = (samples: ReadonlyArray<Sample>) =>
  samples.flatMap((sample) =>
    (Object.keys(sample.expected) as Array<Variant>).map(
      (variant) =>
        [
          `${sample.id} ${variant}${sample.note ? ` (${sample.note})` : ""}`,
          sample,
          variant,
        ] as const,
    ),
  )

describe("the provider's samples, drop-in against the gateway and against the emulator", () => {
  it.each(cases(vms))("voicemail drop: %s", async (_name, sample, variant) => {
    const { gateway } = await run(sample, variant)
    for (const hook of gateway.hooks) expect(hook.method).toBe("GET")
  })

  it.each(cases(tts))("voice SMS: %s", async (_name, sample, variant) => {
    const { gateway } = await run(sample, variant)
    for (const hook of gateway.hooks) expect(hook.method).toBe("POST")
  })

  it("the working samples with a notifyUrl did call back (so the comparison above compared something)", async () => {
    const withCallbacks = [
      [vms[0], "working"],
      [vms[2], "working"],
      [vms[6], "working"],
      [tts[0], "working"],
      [tts[5], "corrected"],
      [tts[6], "working"],
      [tts[8], "working"],
    ] as const
    for (const [sample, variant] of withCallbacks) {
      const { provider, gateway } = await run(sample as Sample, variant)
      expect(provider.hooks.length).toBeGreaterThan(0)
      expect(gateway.hooks).toHaveLength(provider.hooks.length)
    }
  })
})
