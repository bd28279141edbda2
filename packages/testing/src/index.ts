/**
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Fault from "./Fault.js"

/** @since 0.1.0 */
export {
  IN_MEMORY_URL,
  type Faults,
  type LoopbackOptions,
  makeLoopback,
  type Options,
  type RecordedRequest,
  S2TestServer,
  type S2TestServerService
} from "./S2TestServer.js"
