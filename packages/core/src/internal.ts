/**
 * `@layeron/core/internal`: what the layeron command and Layeron's own tests
 * use to find the app an entry file created. Not part of the documented API,
 * so it can change in any release; apps use `export default app` instead.
 */
export { createdBackends, isBackend } from "./registry.js"
