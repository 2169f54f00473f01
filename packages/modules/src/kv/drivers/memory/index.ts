/**
 * The memory driver (`memory:`): entries in a Map in this process, for tests
 * and throwaway runs. Nothing survives the process and nothing is shared with
 * another one. It relies on nothing but the JavaScript runtime, so it runs on
 * Node.js and on Workers alike.
 */
export { MemoryDriver, type MemoryDriverOptions, memoryDriver } from "./driver.js"
