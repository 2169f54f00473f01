export { CONFORMANCE_RULES, type KVConformanceOptions, runKVConformance } from "./conformance.js"
export { FakeClock, useFakeClock } from "./fake-clock.js"
