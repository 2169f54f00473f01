/** The package manager that ran us (`npm create`, `pnpm create`, ...), to print the commands it spells. */
export interface PackageManager {
  name: "npm" | "pnpm" | "yarn" | "bun"
  /** How a script is run: `npm run`, `pnpm`, ... */
  run: string
}

export function detectPackageManager(userAgent = process.env.npm_config_user_agent ?? ""): PackageManager {
  const name = userAgent.split("/")[0]
  if (name === "pnpm" || name === "yarn" || name === "bun") return { name, run: name }
  return { name: "npm", run: "npm run" }
}
