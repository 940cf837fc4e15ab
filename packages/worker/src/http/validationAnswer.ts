import type { ValidationError } from "@voicepartner/core/errors/ValidationError"
import type { ApiError } from "./apiError.js"

/** Most issues listed in one answer; `issueCount` gives the total. */
export const MAX_LISTED_ISSUES = 100

/**
 * A 400 naming the first faulty field and listing the issues core found: the first
 * {@link MAX_LISTED_ISSUES} (each quoting at most a short prefix of its input) and the
 * total, so that a body of 20,000 bad numbers gets an answer of a few kilobytes.
 */
export const validationAnswer = (error: ValidationError): ApiError => ({
  status: 400,
  body: {
    success: false,
    error: {
      code: "VALIDATION_ERROR",
      message: error.message,
      ...(error.issues[0] !== undefined && { field: error.issues[0].field }),
      issues: error.issues.slice(0, MAX_LISTED_ISSUES).map((i) => ({
        field: i.field,
        message: i.message,
        ...(i.index !== undefined && { index: i.index }),
      })),
      issueCount: error.issues.length,
    },
  },
})
