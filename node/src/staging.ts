// Copies a large Uint8Array for an upload into native memory, one slice per event-loop turn
// (bench/FINDINGS.md N1). The pool thread that encodes and sends the bytes must not read the
// caller's array in place: a transfer or a resize can free that memory under it, and Node-API
// cannot pin it (bindings/node/byte_stage.hpp has the details). One copy of 32 MiB on the JS
// thread blocked the loop for 25–160 ms, mostly in page faults of the fresh destination; a slice
// of STAGE_SLICE_BYTES keeps each turn near a millisecond.
import { InvalidArgumentError } from './errors';
import { native, type NativeByteStage, type NativeCancelToken } from './native';

/** Arrays up to this size are copied by the addon in the call itself; larger ones are staged. */
export const STAGE_SLICE_BYTES = 1024 * 1024;

function nextTurn(): Promise<void> {
    // setImmediate, not a microtask: timers and I/O callbacks run between two slices.
    return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The content of `bytes`, copied into a native stage. The first slice is copied before this
 * returns its promise. Rejects with InvalidArgumentError when the array is detached or resized
 * before its last slice was copied. When `token` is cancelled, resolves early with an incomplete
 * stage, which the addon's writeFileBytes turns into the cancellation error.
 */
export async function stageBytes(
    bytes: Uint8Array,
    token: NativeCancelToken,
): Promise<NativeByteStage> {
    const length = bytes.byteLength;
    const stage = new (native().ByteStage)(length);
    try {
        for (let offset = 0; offset < length; offset += STAGE_SLICE_BYTES) {
            if (offset > 0) {
                await nextTurn();
            }
            if (token.cancelled) {
                break;
            }
            if (bytes.byteLength !== length) {
                throw new InvalidArgumentError(
                    'the Uint8Array passed to writeFile was detached or resized before it was ' +
                        'uploaded; keep it unchanged until the writeFile promise settles',
                );
            }
            stage.append(bytes, offset, Math.min(STAGE_SLICE_BYTES, length - offset));
        }
    } catch (error) {
        // Free the native memory now rather than whenever the collector finds the stage.
        stage.dispose();
        throw error;
    }
    return stage;
}
