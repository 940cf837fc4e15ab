/**
 * The longest delay `setTimeout` honours: Node, browsers and workerd turn anything over
 * 2^31 - 1 ms (24.8 days) into 1 ms. Longer waits are armed in steps of at most this.
 */
export const MAX_TIMER_MS = 2_147_483_647

/** A timer delay for `ms` from now, within what `setTimeout` honours (0 for the past). */
export const timerDelay = (ms: number): number =>
  Math.min(MAX_TIMER_MS, Math.max(0, Number.isFinite(ms) ? ms : MAX_TIMER_MS))

/** Waits `ms` of real time, in bounded steps, so that a long wait never fires early. */
export const sleep = async (ms: number): Promise<void> => {
  const until = Date.now() + ms
  for (let left = ms; left > 0; left = until - Date.now()) {
    await new Promise((resolve) => setTimeout(resolve, timerDelay(left)))
  }
}
