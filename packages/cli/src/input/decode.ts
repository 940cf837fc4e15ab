/**
 * The text decoding of recipient and message files: core's (`@voicepartner/core/csv/decode`),
 * the same in the CLI and the gateway. UTF-8, Windows-1252 (French Excel) and UTF-16 with
 * a byte-order mark; see `decodeText`.
 */
export {
  type DecodeInfo,
  decodeText,
  readAllText,
  type TextEncoding,
} from "@voicepartner/core/csv/decode"
