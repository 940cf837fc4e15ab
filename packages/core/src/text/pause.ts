/**
 * A pause in a text-to-speech message. Voice Partner reads every comma as half a second
 * of silence, so a pause of `seconds` is that many commas times two. Seconds are rounded
 * to the nearest half second; anything below 0.5 s is refused rather than silently lost.
 *
 * @example
 * ```ts
 * `Votre code est le 4 ${pause(1)} 2 ${pause(1)} 7` // "Votre code est le 4  ,,  2  ,,  7"
 * ```
 */
export const pause = (seconds: number): string => {
  if (!Number.isFinite(seconds) || seconds < 0.5) {
    throw new RangeError(`pause(seconds): seconds must be at least 0.5, got ${seconds}`)
  }
  return ` ${",".repeat(Math.round(seconds * 2))} `
}

/**
 * How long the explicit pauses of a text last, in seconds (each comma is 0.5 s).
 *
 * @example
 * ```ts
 * pauseSeconds("un ,,,,,, deux") // 3
 * ```
 */
export const pauseSeconds = (text: string): number => {
  let commas = 0
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 44) commas++
  return commas / 2
}
