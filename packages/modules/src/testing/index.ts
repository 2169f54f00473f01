export { FakeClock, useFakeClock } from "./fake-clock.js"
