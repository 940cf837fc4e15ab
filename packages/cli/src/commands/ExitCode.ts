/** The CLI's exit codes, stable for scripts. */
export const ExitCode = {
  /** Everything was sent. */
  Ok: 0,
  /** Some chunks failed (or the send was stopped): the rest went out. */
  Partial: 1,
  /** Usage or validation error: nothing was sent. */
  Usage: 2,
  /** Upstream or authentication error. */
  Upstream: 3,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]
