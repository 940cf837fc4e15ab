import type { DecodeError } from "./DecodeError.js"
import type { RateLimitedError } from "./RateLimitedError.js"
import type { RateLimiterUnavailable } from "./RateLimiterUnavailable.js"
import type { TransportError } from "./TransportError.js"
import type { ValidationError } from "./ValidationError.js"
import type { VoicePartnerApiError } from "./VoicePartnerApiError.js"

/** Every way a call can fail; each carries `_tag`, `reason` and `retryable`. */
export type VoicePartnerError =
  | ValidationError
  | VoicePartnerApiError
  | TransportError
  | DecodeError
  | RateLimitedError
  | RateLimiterUnavailable
