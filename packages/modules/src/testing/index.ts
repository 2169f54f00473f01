export {
  CONFORMANCE_RULES,
  type ConformanceRule,
  type KVConformanceOptions,
  runKVConformance,
  STRONG_RULES,
  type TestFunctions,
} from "./conformance.js"
export { FakeClock, useFakeClock } from "./fake-clock.js"
