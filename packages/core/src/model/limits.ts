/** Voice Partner refuses a request with more numbers (`PHONE_NUMBER_SIZE_ERROR`). */
export const MAX_NUMBERS_PER_REQUEST = 500
