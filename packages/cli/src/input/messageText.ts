import { createReadStream } from "node:fs"
import { UsageError } from "../config/UsageError.js"
import { readAllText } from "./decode.js"

/** The ways to give the text of a voice SMS; at most one of them. */
export interface TextSources {
  /** The positional TEXT; `-` reads stdin. */
  readonly arg?: string | undefined
  /** `--text`; `-` reads stdin. */
  readonly flag?: string | undefined
  /** `--text-file PATH`; `-` reads stdin. */
  readonly file?: string | undefined
}

/**
 * The message text from the positional argument, `--text` or `--text-file` (UTF-8 or
 * Windows-1252, BOM dropped, surrounding whitespace trimmed), `-` meaning stdin.
 * `stdinTaken` says the recipients already read stdin.
 */
export const resolveText = async (
  sources: TextSources,
  stdinTaken: boolean,
  stdin: () => AsyncIterable<Uint8Array> = () => process.stdin,
): Promise<string | undefined> => {
  const given = [sources.arg, sources.flag, sources.file].filter((s) => s !== undefined)
  if (given.length > 1)
    throw new UsageError("give the text once: TEXT, --text or --text-file (- for stdin)")
  const path = sources.file ?? (given[0] === "-" ? "-" : undefined)
  if (path === undefined) return given[0]
  if (path === "-" && stdinTaken)
    throw new UsageError("stdin (-) can be read only once: it already holds the recipients")
  try {
    const text = await readAllText(path === "-" ? stdin() : createReadStream(path))
    return text.trim()
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? "unreadable"
    throw new UsageError(`--text-file: cannot read "${path}" (${code})`)
  }
}
