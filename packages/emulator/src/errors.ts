/** An answer in the provider's error shape: `{ success: false, code, message }`. */
export class ProviderError {
  constructor(
    readonly status: number,
    readonly code: string | number,
    readonly message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}

  toResponse(): Response {
    return Response.json(
      { success: false, code: this.code, message: this.message },
      { status: this.status, headers: this.headers },
    )
  }
}
