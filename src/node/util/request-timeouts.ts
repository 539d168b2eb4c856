/**
 * The request/response timeouts of the node's network protocols, shared by the subsystems that
 * send those requests.
 *
 * Ref: polkadot/node/network/protocol/src/request_response/mod.rs (DEFAULT_REQUEST_TIMEOUT_CONNECTED,
 *      CHUNK_REQUEST_TIMEOUT, POV_REQUEST_TIMEOUT_CONNECTED: 1200 ms in the newest version read,
 *      1000 ms in older ones).
 */

/** `CHUNK_REQUEST_TIMEOUT` (`DEFAULT_REQUEST_TIMEOUT_CONNECTED`, 1 s), µs. */
export const CHUNK_REQUEST_TIMEOUT_US = 1_000_000;

/** `POV_REQUEST_TIMEOUT_CONNECTED` (PoV-sized answers: the full available data), µs. */
export const POV_REQUEST_TIMEOUT_US = 1_200_000;
