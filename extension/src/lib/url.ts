/** The host of a URL; `fallback` (the text itself, unless given) when it has none or is not a URL. */
export function hostOf(url: string, fallback: string = url): string {
  try {
    return new URL(url).host || fallback;
  } catch {
    return fallback;
  }
}
