/** Go's `time.RFC3339` in UTC (second precision), the format daprd writes timestamps in. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
