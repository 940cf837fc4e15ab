import { spawnSync } from "node:child_process"
import { join } from "node:path"

/** Builds `dist/voicepartner.mjs` once, before any test file spawns it. */
export default function setup() {
  const r = spawnSync(process.execPath, ["build.mjs"], {
    cwd: join(import.meta.dirname, ".."),
    encoding: "utf8",
  })
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`)
}
