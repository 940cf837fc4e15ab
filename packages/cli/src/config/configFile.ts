import { readFileSync, statSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import { UsageError } from "./UsageError.js"

/** What the optional config file may set; flags and environment variables win over it. */
export interface ConfigFile {
  readonly apiKey?: string | undefined
  readonly baseUrl?: string | undefined
  readonly gateway?: string | undefined
  readonly token?: string | undefined
}

const keys = ["apiKey", "baseUrl", "gateway", "token"] as const

/**
 * Where the config file lives: `VOICEPARTNER_CONFIG`, else
 * `$XDG_CONFIG_HOME/voicepartner/config.json` (`~/.config/…`), or `%APPDATA%\voicepartner\config.json`
 * on Windows.
 */
export const configPath = (env: NodeJS.ProcessEnv = process.env): string =>
  env.VOICEPARTNER_CONFIG ??
  (process.platform === "win32" && env.APPDATA !== undefined
    ? join(env.APPDATA, "voicepartner", "config.json")
    : join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "voicepartner", "config.json"))

/**
 * Reads the config file if there is one: a JSON object with any of `apiKey`, `baseUrl`,
 * `gateway`, `token`. A malformed file is a usage error naming the file and the key, never
 * a value. A file holding a secret that other users can read is refused (chmod 600).
 *
 * @example
 * ```ts
 * const file = readConfigFile() // {} when there is no file
 * ```
 */
export const readConfigFile = (env: NodeJS.ProcessEnv = process.env): ConfigFile => {
  const path = configPath(env)
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT" && env.VOICEPARTNER_CONFIG === undefined)
      return {}
    throw new UsageError(`cannot read the config file ${path}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new UsageError(`the config file ${path} is not valid JSON`)
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new UsageError(`the config file ${path} must be a JSON object`)
  const config: Record<string, string> = {}
  for (const [key, value] of Object.entries(parsed)) {
    if (!(keys as ReadonlyArray<string>).includes(key))
      throw new UsageError(`${path}: unknown key "${key}" (known: ${keys.join(", ")})`)
    if (typeof value !== "string" || value === "")
      throw new UsageError(`${path}: "${key}" must be a non-empty string`)
    config[key] = value
  }
  const holdsSecret = config.apiKey !== undefined || config.token !== undefined
  if (holdsSecret && process.platform !== "win32" && (statSync(path).mode & 0o077) !== 0)
    throw new UsageError(`${path} holds a secret and other users can read it: chmod 600 ${path}`)
  return config
}
