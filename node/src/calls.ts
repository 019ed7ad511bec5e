// How every native call is made: a cancel token per call (cancelled by the caller's AbortSignal
// or by ComputeClient.close()), error translation, and the caller's stack on errors.
import { ConnectionError, fromNative, nativeKind } from './errors';
import { native, type NativeCancelToken } from './native';

/** The client a call belongs to: close() cancels its calls in flight. */
export class CallOwner {
    #inflight = new Set<NativeCancelToken>();
    #closed = false;

    get closed(): boolean {
        return this.#closed;
    }

    /** Marks the owner closed and cancels every call in flight. */
    closeAll(): void {
        this.#closed = true;
        for (const token of this.#inflight) {
            token.cancel();
        }
        this.#inflight.clear();
    }

    assertOpen(): void {
        if (this.#closed) {
            throw new ConnectionError('the client is closed; create a new ComputeClient');
        }
    }

    async invoke<T>(
        signal: AbortSignal | undefined,
        fn: (token: NativeCancelToken) => Promise<T>,
        allowClosed = false,
    ): Promise<T> {
        const site = new Error();
        if (signal?.aborted) {
            throw abortReason(signal);
        }
        if (!allowClosed) {
            this.assertOpen();
        }
        const token = new (native().CancelToken)();
        const onAbort = (): void => token.cancel();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#inflight.add(token);
        try {
            return await fn(token);
        } catch (error) {
            if (nativeKind(error) === 'cancelled') {
                if (signal?.aborted) {
                    throw abortReason(signal);
                }
                if (this.#closed) {
                    throw new ConnectionError('the client was closed while this call was in flight');
                }
            }
            throw fromNative(error, site);
        } finally {
            signal?.removeEventListener('abort', onAbort);
            this.#inflight.delete(token);
        }
    }
}

/** Runs a synchronous native method, translating its errors. */
export function syncCall<T>(fn: () => T): T {
    try {
        return fn();
    } catch (error) {
        throw fromNative(error, new Error());
    }
}

/** What an aborted call rejects with: the signal's reason, as fetch() does. */
export function abortReason(signal: AbortSignal): unknown {
    return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
