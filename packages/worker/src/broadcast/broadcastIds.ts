/**
 * Broadcast ids and the names of their Durable Objects. An id is `bc_` and 24 random hex
 * digits (96 bits): unguessable, so an id says nothing about another client's broadcasts
 * (and the object checks the owner anyway). The object of a broadcast is named by its id;
 * the index of a client's broadcasts is an object of the same class named
 * `index:<client id>`, which no broadcast id can be.
 */

const ID = /^bc_[0-9a-f]{24}$/

/**
 * A new broadcast id.
 *
 * @example
 * ```ts
 * newBroadcastId() // "bc_3f9a0c1e5b7d2a4c6e8f0a1b"
 * ```
 */
export const newBroadcastId = (): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  return `bc_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`
}

/** Whether a path segment can be a broadcast id (anything else is a 404). */
export const isBroadcastId = (id: string): boolean => ID.test(id)

/** The name of the object holding a client's index of broadcasts. */
export const indexName = (clientId: string): string => `index:${clientId}`
