/** The class the Worker bundle exports for a strong store bound as `binding`: a JS name, whatever the binding starts with. */
export function durableObjectClassName(binding: string): string {
  return `LayeronKV_${binding}`
}
