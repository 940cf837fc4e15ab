/** Everything the emulator knows, as plain JSON so that it can be snapshotted and restored. */
export interface AudioFileRecord {
  token: string
  name: string
  durationSeconds: number
  sizeKo: number
  createdAt: number
}

export interface CampaignRecord {
  id: string
  token: string
  kind: "tts" | "vms"
  apiKeyFingerprint: string
  numbers: Array<{ international: string; countryCode: string }>
  cost: number
  currency: "EUR"
  durationSeconds: number
  tokenAudio?: string
  notifyUrl?: string
  status: "scheduled" | "sent" | "cancelled"
  createdAt: number
  runAt: number
}

export interface CallbackAttempt {
  at: number
  status?: number
  error?: string
}

export interface CallbackRecord {
  id: number
  campaignId: string
  method: "GET" | "POST"
  url: string
  body?: Record<string, unknown>
  attempts: Array<CallbackAttempt>
  delivered: boolean
}

export interface RequestRecord {
  seq: number
  at: number
  method: string
  /** The path with any API key replaced by `***`. */
  path: string
  endpoint: string
  status: number
  /** The JSON body without `apiKey`. */
  body?: unknown
}

export type Task =
  | { at: number; kind: "run"; campaignId: string }
  | { at: number; kind: "deliver"; callbackId: number }

export interface EmulatorState {
  credits: Record<string, number>
  audios: Array<AudioFileRecord>
  campaigns: Record<string, CampaignRecord>
  callbacks: Array<CallbackRecord>
  requests: Array<RequestRecord>
  limits: Record<string, Array<number>>
  tasks: Array<Task>
  /**
   * How many campaigns, callbacks and requests so far. Callback and request numbers come
   * from these; campaign ids do not, since they must not repeat across processes (see
   * `campaignNumber` in Emulator.ts).
   */
  counters: { campaign: number; callback: number; request: number }
}
