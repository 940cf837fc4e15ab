import { describe, expect, it } from "vitest"
import { app } from "../src/app.js"
import { answer, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

declare global {
  interface ImportMeta {
    /** Vite's glob import (resolved at transform time, so it works inside workerd). */
    glob(
      pattern: string,
      options: { readonly query: "?raw"; readonly import: "default"; readonly eager: true },
    ): Record<string, string>
  }
}

useHarness()

describe("the routes Hono knows", () => {
  it("are the documented ones, each with its methods", () => {
    const routes = new Set(
      app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`),
    )
    expect([...routes].sort()).toEqual(
      [
        "GET /health",
        "GET /openapi.json",
        "POST /v1/tts/send",
        "POST /v1/campaign/send",
        "GET /v1/me",
        "GET /v1/me/:apiKey",
        "GET /v1/audios",
        "GET /v1/audios/:apiKey",
        "POST /v1/audio-file/rename",
        "DELETE /v1/campaign/cancel/:campaignId",
        "DELETE /v1/campaign/cancel/:apiKey/:campaignId",
        "GET /v1/campaigns/:campaignId",
        "GET /callbacks/:clientId/:sendId/:expiresAt/:to/:signature",
        "POST /callbacks/:clientId/:sendId/:expiresAt/:to/:signature",
        "GET /v1/broadcasts",
        "POST /v1/broadcasts",
        "GET /v1/broadcasts/:id",
        "GET /v1/broadcasts/:id/recipients",
        "GET /v1/broadcasts/:id/report.csv",
        "POST /v1/broadcasts/:id/pause",
        "POST /v1/broadcasts/:id/resume",
        "POST /v1/broadcasts/:id/cancel",
        "POST /v1/broadcasts/:id/retry",
      ].sort(),
    )
  })

  it.each([
    ["/v1/tts/send", "GET", "POST"],
    ["/v1/campaign/send", "PUT", "POST"],
    ["/v1/me", "POST", "GET, HEAD"],
    [`/v1/me/${TOKENS.alpha}`, "DELETE", "GET, HEAD"],
    ["/v1/audios", "POST", "GET, HEAD"],
    ["/v1/audios/some-token", "PATCH", "GET, HEAD"],
    ["/v1/audio-file/rename", "GET", "POST"],
    ["/v1/campaign/cancel/123", "POST", "DELETE"],
    ["/v1/campaign/cancel/some-token/123", "GET", "DELETE"],
    ["/v1/campaigns/abc", "DELETE", "GET, HEAD"],
    ["/callbacks/a/b/1/-/sig", "PUT", "GET, HEAD, POST"],
    ["/health", "POST", "GET, HEAD"],
    ["/openapi.json", "DELETE", "GET, HEAD"],
    ["/v1/broadcasts", "DELETE", "POST, GET, HEAD"],
    ["/v1/broadcasts/bc_1/pause", "GET", "POST"],
  ])("%s answers %s with 405 and Allow: %s", async (path, method, allow) => {
    const refused = await answer(await gateway(path, { method, token: TOKENS.alpha }))
    expect(refused.status).toBe(405)
    expect(refused.headers.get("allow")).toBe(allow)
    expect(refused.json).toMatchObject({
      success: false,
      error: { code: "METHOD_NOT_ALLOWED", message: `${method} is not allowed here; use ${allow}` },
    })
  })

  it("404 in JSON for an unknown path, whatever the method", async () => {
    for (const method of ["GET", "POST", "DELETE"]) {
      const missing = await answer(await gateway("/v1/nothing/here", { method }))
      expect(missing.status).toBe(404)
      expect(missing.headers.get("allow")).toBeNull()
      expect(missing.json.error.code).toBe("NOT_FOUND")
    }
  })

  it("a route's own 404 stays a 404", async () => {
    const unknown = await answer(await gateway("/v1/campaigns/nothing", { token: TOKENS.alpha }))
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get("allow")).toBeNull()
  })

  it("HEAD is answered on GET routes", async () => {
    const head = await gateway("/health", { method: "HEAD" })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe("")
  })
})

// src/http is HTTP vocabulary: it must not reach up into the gateway's parts.
const FORBIDDEN = ["src/routes", "src/quota", "src/upstream", "src/ledger"]

/** The module specifiers a source file imports or re-exports (static and dynamic). */
const specifiers = (source: string): Array<string> =>
  [
    ...source.matchAll(
      /\b(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']|\bimport\s+["']([^"']+)["']/g,
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3] ?? "")

/** `spec` resolved against the folder of `file` (both relative to the package). */
const resolve = (file: string, spec: string): string => {
  if (!spec.startsWith(".")) return spec
  const parts = file.split("/").slice(0, -1)
  for (const part of spec.split("/")) {
    if (part === "..") parts.pop()
    else if (part !== ".") parts.push(part)
  }
  return parts.join("/")
}

/** The imports of `file` (a path such as `src/http/x.ts`) that reach a forbidden folder. */
const upwardImports = (file: string, source: string): Array<string> =>
  specifiers(source).filter((spec) => {
    const target = resolve(file, spec)
    return FORBIDDEN.some((folder) => target === folder || target.startsWith(`${folder}/`))
  })

describe("src/http imports nothing from routes, quota, upstream or ledger", () => {
  it("catches the ways a file can import", () => {
    const source = [
      'import { a } from "../quota/a.js"',
      'import type { B } from "../ledger/b.js"',
      "import {\n  c,\n  d,\n} from './../upstream/c.js'",
      'export { e } from "../routes/e.js"',
      'const f = await import("../ledger/f.js")',
      'import "../quota/side-effect.js"',
      'import { g } from "./g.js"',
      'import { h } from "../config/h.js"',
      'import { Hono } from "hono"',
    ].join("\n")
    expect(upwardImports("src/http/x.ts", source)).toEqual([
      "../quota/a.js",
      "../ledger/b.js",
      "./../upstream/c.js",
      "../routes/e.js",
      "../ledger/f.js",
      "../quota/side-effect.js",
    ])
    expect(upwardImports("src/http/deep/x.ts", 'import { a } from "../../quota/a.js"')).toEqual([
      "../../quota/a.js",
    ])
  })

  it("holds for every file in src/http", () => {
    const files = import.meta.glob("../src/http/**/*.ts", {
      query: "?raw",
      import: "default",
      eager: true,
    })
    expect(Object.keys(files).length).toBeGreaterThan(5)
    const offending = Object.entries(files).flatMap(([path, source]) =>
      upwardImports(path.replace(/^\.\.\//, ""), source).map((spec) => `${path}: ${spec}`),
    )
    expect(offending).toEqual([])
  })
})
