const encoder = new TextEncoder()

/** SHA-256 of a text, as bytes. */
export const sha256 = async (text: string): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)))

/** SHA-256 of a text, as lowercase hex. */
export const sha256Hex = async (text: string): Promise<string> =>
  Array.from(await sha256(text), (b) => b.toString(16).padStart(2, "0")).join("")

/**
 * Compares two byte strings in time that depends only on their length, so that a wrong
 * token does not reveal how many leading bytes were right.
 */
export const constantTimeEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}
