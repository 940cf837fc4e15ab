import * as Effect from "effect/Effect"
import { ExitCode } from "./ExitCode.js"

const USAGE_TAGS = new Set(["UsageError", "RecipientSourceError", "ValidationError"])

/** The exit code of a failure, after saying what it was on stderr (never a secret: core redacts). */
export const reportFailure = (error: unknown): ExitCode => {
  const e = error as { readonly _tag?: string; readonly message?: string } | undefined
  process.stderr.write(`error: ${e?.message ?? String(error)}\n`)
  return e?._tag !== undefined && USAGE_TAGS.has(e._tag) ? ExitCode.Usage : ExitCode.Upstream
}

/**
 * A command's handler: runs its program and sets the process's exit code from the code it
 * returns or from its failure (usage errors 2, anything else 3). It never fails itself, so
 * that `Command.run` keeps failures for what it parses.
 */
export const handler = <E>(program: Effect.Effect<ExitCode, E>): Effect.Effect<void> =>
  program.pipe(
    Effect.catch((error) => Effect.sync(() => reportFailure(error))),
    Effect.catchDefect((defect) => Effect.sync(() => reportFailure(defect))),
    Effect.flatMap((code) =>
      Effect.sync(() => {
        process.exitCode = code
      }),
    ),
  )

/** A Promise (file reading, stdin), its rejection kept as the failure. */
export const fromPromise = <A>(run: () => Promise<A>): Effect.Effect<A, unknown> =>
  Effect.tryPromise({ try: run, catch: (error) => error })

/** A computation that may throw (a `UsageError`), its exception kept as the failure. */
export const attempt = <A>(run: () => A): Effect.Effect<A, unknown> =>
  Effect.try({ try: run, catch: (error) => error })
