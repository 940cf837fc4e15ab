import type { ValidationError } from "@voicepartner/core/errors/ValidationError"
import type { ApiError } from "./apiError.js"

/** A 400 naming the first faulty field and listing every issue core found. */
export const validationAnswer = (error: ValidationError): ApiError => ({
  status: 400,
  body: {
    success: false,
    error: {
      code: "VALIDATION_ERROR",
      message: error.message,
      ...(error.issues[0] !== undefined && { field: error.issues[0].field }),
      issues: error.issues.map((i) => ({
        field: i.field,
        message: i.message,
        ...(i.index !== undefined && { index: i.index }),
      })),
    },
  },
})
