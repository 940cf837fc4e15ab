import { spawnSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const bin = join(import.meta.dirname, "../dist/voicepartner.mjs")

export const tempDir = (prefix = "vp-cli-") => mkdtempSync(join(tmpdir(), prefix))

/** Spawns the built binary as a user would; the key is set, the rate limit off, no colour. */
export const runIn =
  (cwd: string) =>
  (
    args: ReadonlyArray<string>,
    env: Record<string, string> = {},
    input?: string | Buffer,
  ): { code: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [bin, ...args], {
      env: {
        ...process.env,
        VOICEPARTNER_API_KEY: "dev-key",
        VOICEPARTNER_RATE_LIMIT: "off",
        NO_COLOR: "1",
        ...env,
      },
      encoding: "utf8",
      timeout: 60_000,
      cwd,
      maxBuffer: 256 * 1024 * 1024,
      ...(input === undefined ? {} : { input }),
    })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }
