import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { build } from "esbuild"
import { convertV4MiniflareOptions, Miniflare } from "miniflare"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

// The built ESM must run unchanged on every runtime we support. `pnpm test` builds
// first (turbo: test depends on build).
const here = fileURLToPath(new URL(".", import.meta.url))
const packageDir = fileURLToPath(new URL("../..", import.meta.url))
const bin = (name: string) =>
  fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url))
const run = promisify(execFile)

let server: Server
let baseUrl: string
const bodies: Array<Record<string, unknown>> = []

beforeAll(async () => {
  if (!existsSync(`${packageDir}dist/index.js`))
    throw new Error("build core first: pnpm --filter @voicepartner/core build")
  server = createServer((req, res) => {
    let text = ""
    req.on("data", (chunk: Buffer) => (text += chunk))
    req.on("end", () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>)
      res.setHeader("content-type", "application/json")
      res.end(
        JSON.stringify({
          success: true,
          campaignId: `C${bodies.length}`,
          cost: "0.09",
          currency: "EUR",
          nbSms: 1,
        }),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const expectSend = (stdout: string) => {
  const answer = JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as {
    campaignId: string
    cost: number
  }
  expect(answer.cost).toBe(0.09)
  expect(bodies.at(-1)).toEqual({
    apiKey: "runtime-key",
    phoneNumbers: "+33612345678",
    text: "Bonjour",
    lang: "fr",
  })
}

const options = {
  cwd: packageDir,
  timeout: 60_000,
  env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
}

describe("the built core runs unchanged on", () => {
  it(`Node ${process.version}`, async () => {
    const { stdout } = await run(process.execPath, [`${here}send.mjs`, baseUrl], options)
    expectSend(stdout)
  })

  const node22 = process.env.VOICEPARTNER_NODE22
  it.runIf(node22 !== undefined || process.env.CI === "true")("Node 22", async () => {
    if (node22 === undefined) throw new Error("CI must set VOICEPARTNER_NODE22 to a Node 22 binary")
    const { stdout: version } = await run(node22, ["--version"], options)
    expect(version).toMatch(/^v22\./)
    const { stdout } = await run(node22, [`${here}send.mjs`, baseUrl], options)
    expectSend(stdout)
  })

  it("Deno 2", async () => {
    const { stdout } = await run(
      bin("deno"),
      ["run", "--allow-net", "--allow-read", "--allow-env", `${here}send.mjs`, baseUrl],
      options,
    )
    expectSend(stdout)
  })

  it("Bun 1", async () => {
    const { stdout } = await run(bin("bun"), [`${here}send.mjs`, baseUrl], options)
    expectSend(stdout)
  })

  it("workerd (Cloudflare Workers)", async () => {
    const bundle = await build({
      entryPoints: [`${here}worker.mjs`],
      bundle: true,
      format: "esm",
      platform: "browser",
      write: false,
      logLevel: "silent",
    })
    // Miniflare 5 (beta) reads the long-standing v4 options through its own converter.
    const mf = new Miniflare(
      convertV4MiniflareOptions({
        modules: true,
        script: bundle.outputFiles[0]?.text ?? "",
        compatibilityDate: "2026-10-01",
      }),
    )
    try {
      const response = await mf.dispatchFetch(
        `http://worker/?upstream=${encodeURIComponent(baseUrl)}`,
      )
      expectSend(await response.text())
    } finally {
      await mf.dispose()
    }
  })
})
