/** RFC 4180 field quoting: a field holding the delimiter, a quote, CR or LF is quoted, inner quotes doubled. */
export function csvFieldWriter(delimiter: string): (value: string) => string {
  const special = new RegExp(`[${delimiter}"\\r\\n]`);
  return (value) => (special.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
}
