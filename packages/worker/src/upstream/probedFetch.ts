import { connect } from "cloudflare:sockets"

/** Whether a TCP connection to the URL's host and port opens, within a bounded time. */
export type CanConnect = (url: URL) => Promise<boolean>

const PROBE_TIMEOUT_MS = 2_000

/**
 * Opens (and closes) a bare TCP connection to the URL's host and port. A timeout counts
 * as reachable: only a refusal is taken as proof that the host is not listening.
 */
export const tcpReachable: CanConnect = async (url) => {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80))
  let socket: ReturnType<typeof connect> | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    socket = connect({ hostname: url.hostname.replace(/^\[|\]$/g, ""), port })
    // `closed` rejects too when the connection fails; it is answered by `opened`.
    socket.closed.catch(() => undefined)
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), PROBE_TIMEOUT_MS)
    })
    await Promise.race([socket.opened, timedOut])
    return true
  } catch {
    return false
  } finally {
    clearTimeout(timer)
    socket?.close().catch(() => undefined)
  }
}

// What workerd says both when a connection is refused and when one drops mid-request.
const connectionLost = /network connection lost/i

/**
 * `fetch` that tells a refused connection from a dropped one. workerd rejects both with
 * "Network connection lost.", yet only the first proves that nothing was sent. When a
 * fetch fails that way, a bare TCP connection to the same host and port decides: refused
 * again, the host is not listening and the failure is reported as a refused connection
 * (core classifies it `ConnectFailed`: not sent, safe to retry); it opens, the host is up
 * and dropped this request, whose outcome stays unknown (the original error).
 *
 * @example
 * ```ts
 * const fetch = probedFetch(globalThis.fetch, tcpReachable)
 * await fetch("http://127.0.0.1:1/v1/me/key") // TypeError: connection refused: …
 * ```
 */
export const probedFetch =
  (base: typeof globalThis.fetch, canConnect: CanConnect): typeof globalThis.fetch =>
  async (input, init) => {
    try {
      return await base(input, init)
    } catch (error) {
      if (!(error instanceof Error) || !connectionLost.test(error.message) || init?.signal?.aborted)
        throw error
      const url = new URL(input instanceof Request ? input.url : String(input))
      if (await canConnect(url)) throw error
      // The host only, never the path: some upstream paths hold the API key.
      throw new TypeError(`connection refused: ${url.host} is not accepting connections`, {
        cause: error,
      })
    }
  }
