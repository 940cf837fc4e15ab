import { execFile } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

// A CommonJS application (`require`) on Node ≥ 22.12 loads the ESM build synchronously.
const packageDir = fileURLToPath(new URL("../..", import.meta.url))
const run = promisify(execFile)
let app: string

beforeAll(() => {
  if (!existsSync(join(packageDir, "dist/index.js")))
    throw new Error("build core first: pnpm --filter @voicepartner/core build")
  app = mkdtempSync(join(tmpdir(), "vp-require-"))
  mkdirSync(join(app, "node_modules/@voicepartner"), { recursive: true })
  symlinkSync(packageDir, join(app, "node_modules/@voicepartner/core"), "dir")
})
afterAll(() => rmSync(app, { recursive: true, force: true }))

const script = `
const core = require("@voicepartner/core")
const { parsePhoneNumber } = require("@voicepartner/core/phone/parsePhoneNumber")
console.log(JSON.stringify({ createClient: typeof core.createClient, e164: parsePhoneNumber("0692 12 34 56").value.e164 }))
`

const node22 = process.env.VOICEPARTNER_NODE22
const nodes: ReadonlyArray<readonly [string, string]> = [
  ["this Node", process.execPath],
  ...(node22 === undefined ? [] : [["Node 22", node22] as const]),
]

describe("require() of the built core", () => {
  it.each(nodes)("works on %s", async (_name, node) => {
    const { stdout } = await run(node, ["--no-warnings", "-e", script], {
      cwd: app,
      timeout: 20_000,
    })
    expect(JSON.parse(stdout.trim())).toEqual({ createClient: "function", e164: "+262692123456" })
  })
})
