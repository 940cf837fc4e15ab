import type { ClientConfig } from "../config/ClientConfig.js"
import { constantTimeEqual, sha256 } from "./digest.js"

/**
 * The client a token belongs to. The token is hashed and compared with every client's
 * stored hash, without stopping at the first match, so timing says nothing about which
 * client (or how much of a hash) matched.
 *
 * @example
 * ```ts
 * const client = await findClient(config.clients, "dev-token")
 * ```
 */
export const findClient = async (
  clients: ReadonlyArray<ClientConfig>,
  token: string,
): Promise<ClientConfig | undefined> => {
  const digest = await sha256(token)
  let found: ClientConfig | undefined
  for (const client of clients) {
    if (constantTimeEqual(digest, client.tokenSha256) && found === undefined) found = client
  }
  return found
}
