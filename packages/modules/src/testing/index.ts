export {
  CONFORMANCE_RULES,
  type ConformanceRule,
  type KVConformanceOptions,
  runKVConformance,
  type TestFunctions,
} from "./conformance.js"
export { FakeClock, useFakeClock } from "./fake-clock.js"
