// pino's formatter ships no types; the interpolation test uses it as the reference.
declare module 'quick-format-unescaped' {
  export default function format(
    f: unknown,
    args: unknown[],
    opts?: { stringify?: (o: unknown) => string },
  ): string
}
