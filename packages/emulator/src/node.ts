import type { AddressInfo } from "node:net"
import { serve } from "@hono/node-server"
import { DROP_HEADER } from "./faults.js"
import { createEmulator, type InProcessEmulator } from "./index.js"
import type { EmulatorOptions } from "./options.js"

/** A running Node server around an emulator. */
export interface EmulatorServer {
  /** Base URL of the emulated API, e.g. `http://127.0.0.1:8788/v1`. */
  readonly baseUrl: string
  readonly port: number
  readonly emulator: InProcessEmulator
  close(): Promise<void>
}

/**
 * Serves an emulator over HTTP (127.0.0.1 by default; port 0 picks a free one). Point a
 * client at `server.baseUrl`, e.g. `@voicepartner/core`'s
 * `createClient({ apiKey: "dev-key", baseUrl: server.baseUrl })`.
 *
 * @example
 * ```ts
 * import { startEmulatorServer } from "@voicepartner/emulator/node"
 *
 * const server = await startEmulatorServer({ port: 0 })
 * const answer = await fetch(`${server.baseUrl}/me/dev-key`)
 * console.log(await answer.json()) // { success: true, credit: "100.00", currency: "€", … }
 * await server.close()
 * ```
 */
export const startEmulatorServer = (
  options: EmulatorOptions & { readonly port?: number; readonly host?: string } = {},
): Promise<EmulatorServer> => {
  const { port = 8788, host = "127.0.0.1", ...rest } = options
  const emulator = createEmulator(rest)
  return new Promise((resolve, reject) => {
    const fetch = async (
      request: Request,
      env: { incoming?: { socket?: { destroy(): void } } },
    ) => {
      const response = await emulator.handle(request)
      // An injected dropped connection: close the socket without an answer, like a network failure.
      if (response.headers.has(DROP_HEADER)) env.incoming?.socket?.destroy()
      return response
    }
    const server = serve({ fetch, port, hostname: host }, (info: AddressInfo) => {
      resolve({
        baseUrl: `http://${host}:${info.port}/v1`,
        port: info.port,
        emulator,
        close: () =>
          new Promise<void>((done) => {
            emulator.close()
            server.close(() => done())
            ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
          }),
      })
    })
    server.once("error", reject)
  })
}
