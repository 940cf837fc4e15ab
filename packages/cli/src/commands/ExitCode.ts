/** The CLI's exit codes, stable for scripts. */
export const ExitCode = {
  /** Everything was sent. */
  Ok: 0,
  /** Some chunks failed (or the send was interrupted): the rest went out. */
  Partial: 1,
  /**
   * Nothing was sent: a usage or validation error, or a send that needed a confirmation
   * (landlines would ring, the cost passes `--max-cost`) and did not get one.
   */
  Usage: 2,
  /**
   * A failure that will not get better (wrong key or token, no credit, unknown audio,
   * sender not authorised): the send stopped there.
   */
  Upstream: 3,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]
