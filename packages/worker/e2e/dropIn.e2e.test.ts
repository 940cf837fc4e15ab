// Voice Partner's own samples, run by the clients they were written for (Python requests,
// cURL, Java's HttpClient — the ones installed here), with only the URL and the key changed:
// against the Node emulator as the provider, and against the gateway under `wrangler dev`
// in drop-in mode (its upstream another emulator). Both must answer alike, and a receiver
// given as `notifyUrl` must get the same callbacks — from the gateway with Standard
// Webhooks headers on top. PHP, Go, C#/VB.net and Node's axios are not installed: their
// samples are reproduced byte for byte in test/dropInSamples.test.ts instead. A client
// that is missing here skips its cases (named in the test title).
import { execFile, execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { homedir, tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { signWebhook, verifyWebhook } from "@voicepartner/core/webhooks/standardWebhooks"
import type { EmulatorServer } from "@voicepartner/emulator/node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  eventually,
  type Gateway,
  SECRETS,
  startEmulator,
  startGateway,
  TOKENS,
  UPSTREAM_KEY,
  WEBHOOK_SECRET,
} from "./stack.js"

const run = promisify(execFile)

const has = (command: string, args: ReadonlyArray<string>) => {
  try {
    execFileSync(command, args, { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}
/** A Python that has `requests` (`PYTHON`, else the usual names, pyenv's shim included). */
const python = [
  process.env.PYTHON,
  "python3",
  "python",
  join(homedir(), ".pyenv/shims/python3"),
].find((p): p is string => p !== undefined && has(p, ["-c", "import requests"]))
const curl = has("curl", ["--version"])
const java = has("java", ["-version"])

interface Hook {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** Where the samples' `notifyUrl` points: records method, URL, headers and body; 204. */
const startNotifyReceiver = async () => {
  const hooks: Array<Hook> = []
  const server: Server = createServer(async (req, res) => {
    let body = ""
    for await (const chunk of req) body += chunk
    hooks.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body })
    res.writeHead(204).end()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    hooks,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

let provider: EmulatorServer
let upstream: EmulatorServer
let gateway: Gateway
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>
let workDir: string

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "vp-dropin-samples-"))
  receiver = await startNotifyReceiver()
  // Two providers: one the samples call directly, one behind the gateway (their own limits).
  provider = await startEmulator({ callbackDelayMs: 100 })
  upstream = await startEmulator({ callbackDelayMs: 100 })
  gateway = await startGateway({
    upstreamBaseUrl: upstream.baseUrl,
    // The clients' configured webhook: the same receiver (allow-listed for plain http).
    webhookUrl: `${receiver.origin}/webhook`,
    retrySchedule: "1,2",
  })
}, 120_000)

afterAll(async () => {
  await gateway?.close()
  await provider?.close()
  await upstream?.close()
  await receiver?.close()
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true })
})

type Target = "provider" | "gateway"
const base = (target: Target) => (target === "provider" ? provider.baseUrl : `${gateway.url}/v1`)
const key = (target: Target) => (target === "provider" ? UPSTREAM_KEY : (TOKENS[0] as string))
/** Each target's callbacks at its own path of the receiver. */
const notifyUrl = (target: Target, id: string) => `${receiver.origin}/notify/${id}/${target}`

interface Answer {
  readonly status: number
  // biome-ignore lint/suspicious/noExplicitAny: answers are compared field by field
  readonly json: any
}

// ---------------------------------------------------------------------------------------
// The samples, as published (seeds/000: voicemail drop, seeds/001: voice SMS).

const pythonVms = `import requests

# URL de l'API à laquelle effectuer la requête POST
url = 'https://api.voicepartner.fr/v1/campaign/send'

# Les données à envoyer en JSON
data = {
    'apiKey': 'YOUR_API_KEY',  # Remplacez par votre clé API réelle
    'tokenAudio': 'TOKEN_AUDIO',  # Remplacez par le token audio réel
    'emailForNotification': 'email@example.com',  # Remplacez par l'email de notification souhaité
    'phoneNumbers': '06xxxxxxxx',  # Remplacez par le(s) numéro(s) de téléphone réel(s)
    # Ajoutez les autres paramètres optionnels si nécessaire
    # 'sender': 'VotreNuméro',  # Optionnel
    # 'scheduledDate': 'YYYY-mm-dd H:i:s',  # Optionnel
    # 'notifyUrl': 'https://your.notify.url',  # Optionnel
}

# Configuration des en-têtes HTTP
headers = {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache'
}

# Exécution de la requête POST avec les données JSON
response = requests.post(url, json=data, headers=headers)

# Vérification s'il y a eu des erreurs pendant l'exécution de la requête
if response.status_code != 200:
    print(f'Erreur cURL : {response.status_code}')
else:
    # Affichage de la réponse
    print(f'Réponse : {response.text}')
`

const pythonTts = `import requests
import json

# L'URL de l'API pour envoyer le message vocal
url = 'http://api.voicepartner.fr/v1/tts/send'

# Les données à envoyer en JSON
data = {
    'apiKey': 'YOUR_API_KEY',  # Remplacez par votre clé API réelle
    'phoneNumbers': '06XXXXXXXX',  # Remplacez par le(s) numéro(s) de téléphone réel(s)
    'text': 'Mon premier test',  # Remplacez par le texte que vous souhaitez convertir en parole
    # 'speed': '1',  # Optionnel: Vitesse de la parole
    # 'notifyUrl': 'http://...',  # Optionnel: URL de notification
    # 'scheduledDate': 'YYYY-mm-dd H:i:00',  # Optionnel: Date prévue pour l'envoi
}

# Encodage des données en JSON
data_json = json.dumps(data)

# Configuration des en-têtes HTTP
headers = {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache'
}

# Exécution de la requête POST avec les données JSON
response = requests.post(url, data=data_json, headers=headers)

# Vérification s'il y a eu des erreurs pendant l'exécution de la requête
if response.status_code != 200:
    print(f'Erreur cURL : {response.status_code}')
else:
    # Affichage de la réponse
    print(f'Réponse : {response.text}')
`

const curlVmsBody = `{
          "apiKey": "YOUR_API_KEY",
          "tokenAudio": "TOKEN_AUDIO",
          "emailForNotification": "email@example.com",
          "phoneNumbers": "06xxxxxxxx"
          // ... autres paramètres si nécessaire
         }`

const curlTtsExempleBody = `{
"apiKey":"YOUR-API-KEY",
"phoneNumbers":"06XXXXXXXX",
"speed":"1",
"text":"Mon premier test",
"notifyUrl":"http://..."
}`

const javaTts = `package com.example.API;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;

public class EnvoyerSmsVocal {
    public static void main(String[] args) {
        // L'URL de l'API
        String apiUrl = "https://api.voicepartner.fr/v1/tts/send";

        // Les données à envoyer en JSON
        String json = """
                {
                    "apiKey": "YOUR_API_KEY",
                    "phoneNumbers": "06XXXXXXXX",
                    "text": "Mon premier test",
                    "speechRate": "1",
                    "notifyUrl": "http://example.com/notify",
                }
                """;

        // Créer une instance de HttpClient
        HttpClient client = HttpClient.newHttpClient();

        // Construire la requête
        HttpRequest request = HttpRequest.newBuilder()
                .uri(URI.create(apiUrl))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(json))
                .build();

        // Envoyer la requête de manière asynchrone
        client.sendAsync(request, BodyHandlers.ofString())
                .thenApply(response -> response) // Retourner l'objet de réponse entier
                .thenAccept(response -> {
                    // Maintenant, vous pouvez appeler les méthodes sur l'objet HttpResponse
                    System.out.println("Status Code: " + response.statusCode());
                    System.out.println("Response: " + response.body());
                })
                .exceptionally(e -> {
                    e.printStackTrace(); // Affiche le stack trace en cas d'erreur
                    return null;
                })
                .join(); // Attendre la fin de l'opération asynchrone
    }
}
`

// ---------------------------------------------------------------------------------------
// Running them.

/** Applies `[from, to]` replacements, each of which must occur in the sample. */
const edit = (text: string, edits: ReadonlyArray<readonly [string, string]>) =>
  edits.reduce((t, [from, to]) => {
    expect(t, `the sample contains ${from}`).toContain(from)
    return t.replace(from, to)
  }, text)

const runPython = async (code: string): Promise<Answer> => {
  const script = `${code}\nimport json as _json\nprint("__RESULT__" + _json.dumps({"status": response.status_code, "body": response.text}))\n`
  const { stdout } = await run(python as string, ["-c", script], { timeout: 30_000 })
  const result = JSON.parse(stdout.slice(stdout.indexOf("__RESULT__") + 10)) as {
    status: number
    body: string
  }
  return { status: result.status, json: JSON.parse(result.body) }
}

const runCurl = async (url: string, body: string): Promise<Answer> => {
  // The sample's command, its lines joined as it means them: -X POST, -H, -d '<body>'.
  const { stdout } = await run(
    "curl",
    [
      "-sS",
      "-X",
      "POST",
      url,
      "-H",
      "Content-Type: application/json",
      "-d",
      body,
      "-w",
      "\n%{http_code}",
    ],
    { timeout: 30_000 },
  )
  const cut = stdout.lastIndexOf("\n")
  return { status: Number(stdout.slice(cut + 1)), json: JSON.parse(stdout.slice(0, cut)) }
}

let javaRuns = 0
const runJava = async (code: string): Promise<Answer> => {
  const dir = join(workDir, `java-${++javaRuns}`)
  execFileSync("mkdir", ["-p", dir])
  const file = join(dir, "EnvoyerSmsVocal.java")
  writeFileSync(file, code)
  const { stdout } = await run("java", [file], { timeout: 60_000 })
  const status = /Status Code: (\d+)/.exec(stdout)?.[1]
  const body = /Response: (.*)/.exec(stdout)?.[1]
  return { status: Number(status), json: JSON.parse(body ?? "null") }
}

/** The same answer: status, and every top-level field of the provider's (ids and texts aside). */
const sameAnswer = (fromProvider: Answer, fromGateway: Answer) => {
  expect(fromGateway.status).toBe(fromProvider.status)
  const added = Object.keys(fromGateway.json).filter((k) => !(k in fromProvider.json))
  expect(added.filter((k) => k !== "error" && k !== "warnings")).toEqual([])
  for (const [k, v] of Object.entries(fromProvider.json)) {
    if (k === "campaignId" || k === "message") expect(typeof fromGateway.json[k]).toBe("string")
    else expect({ [k]: fromGateway.json[k] }).toEqual({ [k]: v })
  }
}

const hooksAt = (path: string) => receiver.hooks.filter((h) => h.url.split("?")[0] === path)

/** A callback as the two can be compared: the campaign's own ids and times replaced. */
const comparable = (hook: Hook, campaignId: string) => {
  const url = new URL(hook.url, receiver.origin)
  const query = [...url.searchParams].map(([k, v]) => {
    if (k === "campaign_id") expect(v).toBe(campaignId)
    return [k, k === "campaign_id" || k === "campaign_token" ? `<${k}>` : v]
  })
  let body: unknown
  if (hook.body !== "") {
    const parsed = JSON.parse(hook.body) as Record<string, unknown>
    expect(parsed.campaignId).toBe(campaignId)
    body = { ...parsed, campaignId: "<id>", sendAt: "<time>", doneAt: "<time>" }
  }
  return { method: hook.method, query, contentType: hook.headers["content-type"], body }
}

const byContent = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b))

/** Waits for `count` callbacks at each target's notifyUrl, then compares them. */
const sameCallbacks = async (
  id: string,
  count: number,
  campaignIds: Readonly<Record<Target, string>>,
) => {
  const at = (target: Target) => new URL(notifyUrl(target, id)).pathname
  await eventually(
    () => hooksAt(at("provider")).length >= count && hooksAt(at("gateway")).length >= count,
    30_000,
    `${count} callbacks of ${id} from each`,
  )
  const fromProvider = hooksAt(at("provider"))
  const fromGateway = hooksAt(at("gateway"))
  expect(fromGateway.map((h) => comparable(h, campaignIds.gateway)).sort(byContent)).toEqual(
    fromProvider.map((h) => comparable(h, campaignIds.provider)).sort(byContent),
  )
  for (const hook of fromProvider) expect(hook.headers["webhook-signature"]).toBeUndefined()
  for (const hook of fromGateway) {
    const headers = hook.headers as Record<string, string>
    if (hook.method === "POST")
      await verifyWebhook({ secret: WEBHOOK_SECRET, headers, payload: hook.body })
    else {
      const signed = await signWebhook({
        secret: WEBHOOK_SECRET,
        id: headers["webhook-id"] as string,
        timestamp: Number(headers["webhook-timestamp"]),
        payload: new URL(hook.url, receiver.origin).search.slice(1),
      })
      expect(headers["webhook-signature"]).toBe(signed["webhook-signature"])
    }
  }
  return fromGateway
}

const both = async (send: (target: Target) => Promise<Answer>) => {
  const fromProvider = await send("provider")
  const fromGateway = await send("gateway")
  sameAnswer(fromProvider, fromGateway)
  return { fromProvider, fromGateway }
}

describe("the provider's samples run by their own clients, emulator vs drop-in gateway", () => {
  it.skipIf(python === undefined)(
    "Python, voicemail drop (requests json=), as published: DESTINATION_INVALID",
    async () => {
      const { fromProvider } = await both((target) =>
        runPython(
          edit(pythonVms, [
            ["https://api.voicepartner.fr/v1", base(target)],
            ["YOUR_API_KEY", key(target)],
          ]),
        ),
      )
      expect(fromProvider.status).toBe(400)
      expect(fromProvider.json.code).toBe("DESTINATION_INVALID")
    },
  )

  it.skipIf(python === undefined)(
    "Python, voicemail drop, placeholders filled and notifyUrl uncommented: a GET callback",
    async () => {
      const { fromProvider, fromGateway } = await both((target) =>
        runPython(
          edit(pythonVms, [
            ["https://api.voicepartner.fr/v1", base(target)],
            ["YOUR_API_KEY", key(target)],
            ["'TOKEN_AUDIO'", "'dev-audio'"],
            ["'06xxxxxxxx'", "'0612345601,0612345699'"],
            [
              "# 'notifyUrl': 'https://your.notify.url',",
              `'notifyUrl': '${notifyUrl(target, "py-vms")}?ref=42',`,
            ],
          ]),
        ),
      )
      expect(fromProvider.status).toBe(200)
      const [hook] = await sameCallbacks("py-vms", 1, {
        provider: fromProvider.json.campaignId,
        gateway: fromGateway.json.campaignId,
      })
      expect(hook?.method).toBe("GET")
      expect(new URL(hook?.url ?? "", receiver.origin).searchParams.get("ref")).toBe("42")
    },
  )

  it.skipIf(python === undefined)(
    "Python, voice SMS (requests data=json.dumps), speed and notifyUrl uncommented: a POST per number",
    async () => {
      const { fromProvider, fromGateway } = await both((target) =>
        runPython(
          edit(pythonTts, [
            ["http://api.voicepartner.fr/v1", base(target)],
            ["YOUR_API_KEY", key(target)],
            ["'06XXXXXXXX'", "'0612345601,0612345699'"],
            ["# 'speed': '1',", "'speed': '1',"],
            ["# 'notifyUrl': 'http://...',", `'notifyUrl': '${notifyUrl(target, "py-tts")}',`],
          ]),
        ),
      )
      expect(fromProvider.status).toBe(200)
      expect(fromGateway.json.warnings).toContainEqual({
        field: "speed",
        message: "was read as speechRate, the name Voice Partner documents",
      })
      const hooks = await sameCallbacks("py-tts", 2, {
        provider: fromProvider.json.campaignId,
        gateway: fromGateway.json.campaignId,
      })
      expect(hooks.map((h) => JSON.parse(h.body).phoneNumber).sort()).toEqual([
        "0033612345601",
        "0033612345699",
      ])
    },
  )

  it.skipIf(!curl)(
    "cURL, voicemail drop, as published (a // comment in -d): code 90 from both",
    async () => {
      const { fromProvider } = await both((target) =>
        runCurl(`${base(target)}/campaign/send`, curlVmsBody.replace("YOUR_API_KEY", key(target))),
      )
      expect(fromProvider.status).toBe(400)
      expect(fromProvider.json.code).toBe(90)
    },
  )

  it.skipIf(!curl)(
    'cURL, the voice SMS "Exemple" (speed "1"), filled: a POST per number',
    async () => {
      const { fromProvider, fromGateway } = await both((target) =>
        runCurl(
          `${base(target)}/tts/send`,
          edit(curlTtsExempleBody, [
            ["YOUR-API-KEY", key(target)],
            ['"06XXXXXXXX"', '"0612345602"'],
            ['"http://..."', `"${notifyUrl(target, "curl-tts")}"`],
          ]),
        ),
      )
      expect(fromProvider.status).toBe(200)
      await sameCallbacks("curl-tts", 1, {
        provider: fromProvider.json.campaignId,
        gateway: fromGateway.json.campaignId,
      })
    },
  )

  it.skipIf(!java)(
    "Java, voice SMS, as published (a trailing comma): code 90 from both",
    async () => {
      const { fromProvider } = await both((target) =>
        runJava(
          edit(javaTts, [
            ["https://api.voicepartner.fr/v1", base(target)],
            ["YOUR_API_KEY", key(target)],
          ]),
        ),
      )
      expect(fromProvider.status).toBe(400)
      expect(fromProvider.json.code).toBe(90)
    },
    120_000,
  )

  it.skipIf(!java)(
    'Java, voice SMS, comma removed and filled: speechRate "1" read, a POST callback',
    async () => {
      const { fromProvider, fromGateway } = await both((target) =>
        runJava(
          edit(javaTts, [
            ["https://api.voicepartner.fr/v1", base(target)],
            ["YOUR_API_KEY", key(target)],
            ['"06XXXXXXXX"', '"0612345603"'],
            ['"http://example.com/notify",', `"${notifyUrl(target, "java-tts")}"`],
          ]),
        ),
      )
      expect(fromProvider.status).toBe(200)
      expect(fromGateway.json.warnings).toContainEqual({
        field: "speechRate",
        message: '"1" (a string) was read as the number 1',
      })
      await sameCallbacks("java-tts", 1, {
        provider: fromProvider.json.campaignId,
        gateway: fromGateway.json.campaignId,
      })
    },
    120_000,
  )

  it("no secret in the gateway's log lines", () => {
    for (const line of gateway.logs)
      for (const secret of SECRETS) expect(line).not.toContain(secret)
  })
})
