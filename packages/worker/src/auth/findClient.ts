import type { ClientConfig } from "../config/ClientConfig.js"
import { constantTimeEqual, sha256 } from "./digest.js"

/**
 * The digests of the tokens that belonged to a client, per client list (one per isolate):
 * a known token is not hashed again on every request. Only tokens that matched are kept,
 * so the map holds at most one entry per client and an unknown token is hashed every
 * time; a hit needs the whole token, and the comparison with the clients' hashes below
 * stays the same constant-time one.
 */
const knownDigests = new WeakMap<ReadonlyArray<ClientConfig>, Map<string, Uint8Array>>()

/**
 * The client a token belongs to. The token is hashed and compared with every client's
 * stored hash, without stopping at the first match, so timing says nothing about which
 * client (or how much of a hash) matched.
 *
 * @example
 * ```ts
 * import type { GatewayConfig } from "../config/GatewayConfig.js"
 *
 * declare const config: GatewayConfig
 * declare const token: string // as the caller presented it
 * const client = await findClient(config.clients, token) // its ClientConfig, or undefined
 * ```
 */
export const findClient = async (
  clients: ReadonlyArray<ClientConfig>,
  token: string,
): Promise<ClientConfig | undefined> => {
  let known = knownDigests.get(clients)
  const digest = known?.get(token) ?? (await sha256(token))
  let found: ClientConfig | undefined
  for (const client of clients) {
    if (constantTimeEqual(digest, client.tokenSha256) && found === undefined) found = client
  }
  if (found !== undefined && known?.has(token) !== true && (known?.size ?? 0) < clients.length) {
    if (known === undefined) {
      known = new Map()
      knownDigests.set(clients, known)
    }
    known.set(token, digest)
  }
  return found
}
