// ShellSession: the interactive shell over WebSocket (docs/protocol.md §6).
//
// Once connected, a pump keeps one native recv() in flight: frames reach `on` listeners as they
// arrive and wait in a buffer for recv() / `for await`. The pending recv also keeps the process
// alive while the shell is open, like an open socket; close() (or the shell ending) lets it exit.
import { abortReason, syncCall, type CallOwner } from './calls';
import { Described } from './described';
import { CancelledError, ConnectionError, TimeoutError } from './errors';
import type { NativeCancelToken, NativeShell } from './native';
import type { CallOptions, RecvOptions, ShellFrame } from './types';

// Frames kept for recv() when nobody reads them (listeners still see every frame).
const MAX_BUFFERED_FRAMES = 10_000;
const PUMP_SLICE_MS = 60_000;

type FrameListener = (frame: ShellFrame) => void;

interface Waiter {
    resolve: (frame: ShellFrame | null) => void;
    reject: (error: unknown) => void;
}

export class ShellSession extends Described implements AsyncIterable<ShellFrame> {
    readonly #owner: CallOwner;
    readonly #native: NativeShell;
    readonly #buffer: ShellFrame[] = [];
    readonly #waiters = new Set<Waiter>();
    readonly #listeners = new Map<string, Set<FrameListener>>();
    #pumpToken: NativeCancelToken | undefined;
    #pumping = false;
    #started = false;
    #ended = false;
    #failure: unknown;

    /** @internal Created by Sandbox.shell(). */
    constructor(owner: CallOwner, nativeShell: NativeShell) {
        super();
        this.#owner = owner;
        this.#native = nativeShell;
    }

    /** Opens the WebSocket (the sandbox must be running). Resolves to this session. */
    async connect(options: CallOptions = {}): Promise<this> {
        await this.#owner.invoke(options.signal, (token) => this.#native.connect(token));
        this.#ended = false;
        this.#started = true;
        this.#startPump();
        return this;
    }

    /** Closes the socket (close handshake, at most ~2 s). Idempotent. */
    async close(): Promise<void> {
        this.#pumpToken?.cancel();
        await this.#owner.invoke(undefined, () => this.#native.close(), true);
        this.#end();
    }

    get connected(): boolean {
        return this.#native.connected;
    }

    /** The shell's exit status once an `exit` frame arrived, else null. */
    get exitCode(): number | null {
        return this.#native.exitCode;
    }

    /** The WebSocket close code received from the server (0 before). */
    get closeCode(): number {
        return this.#native.closeCode;
    }

    /** Sends raw keystrokes. */
    send(data: string): void {
        syncCall(() => this.#native.send(data));
    }

    /** Sends a line followed by a newline. */
    sendLine(line: string): void {
        syncCall(() => this.#native.sendLine(line));
    }

    resize(cols: number, rows: number): void {
        syncCall(() => this.#native.resize(cols, rows));
    }

    /**
     * The next frame. Rejects with TimeoutError when none arrives within `timeoutMs` (default
     * 30 000); resolves to null once the session has ended and every frame was read.
     */
    recv(options: RecvOptions = {}): Promise<ShellFrame | null> {
        const { signal } = options;
        const timeoutMs = options.timeoutMs ?? 30_000;
        if (signal?.aborted) {
            return Promise.reject(abortReason(signal));
        }
        const next = this.#buffer.shift();
        if (next) {
            return Promise.resolve(next);
        }
        if (!this.#started) {
            return Promise.reject(
                new ConnectionError('the shell is not connected; call connect() first'),
            );
        }
        if (this.#ended || !this.#pumping) {
            return this.#failure !== undefined
                ? Promise.reject(this.#failure)
                : Promise.resolve(null);
        }
        return new Promise<ShellFrame | null>((resolve, reject) => {
            let timer: NodeJS.Timeout | undefined;
            const cleanup = (): void => {
                this.#waiters.delete(waiter);
                if (timer) {
                    clearTimeout(timer);
                }
                signal?.removeEventListener('abort', onAbort);
            };
            const waiter: Waiter = {
                resolve: (frame) => {
                    cleanup();
                    resolve(frame);
                },
                reject: (error) => {
                    cleanup();
                    reject(error);
                },
            };
            const onAbort = (): void => waiter.reject(abortReason(signal as AbortSignal));
            if (Number.isFinite(timeoutMs)) {
                timer = setTimeout(
                    () => waiter.reject(new TimeoutError(`no shell frame within ${timeoutMs} ms`)),
                    timeoutMs,
                );
            }
            signal?.addEventListener('abort', onAbort, { once: true });
            this.#waiters.add(waiter);
        });
    }

    /** Listens for frames of one `type` (`stdout`, `exit`, …) or of every type with `'*'`. */
    on(type: string, listener: FrameListener): this {
        if (typeof listener !== 'function') {
            throw new TypeError('listener must be a function');
        }
        let set = this.#listeners.get(type);
        if (!set) {
            set = new Set();
            this.#listeners.set(type, set);
        }
        set.add(listener);
        return this;
    }

    off(type: string, listener: FrameListener): this {
        this.#listeners.get(type)?.delete(listener);
        return this;
    }

    /** Every frame until the session ends. */
    async *[Symbol.asyncIterator](): AsyncIterator<ShellFrame> {
        for (;;) {
            const frame = await this.recv({ timeoutMs: Infinity });
            if (frame === null) {
                return;
            }
            yield frame;
        }
    }

    async [Symbol.asyncDispose](): Promise<void> {
        await this.close();
    }

    protected describeNative(): string {
        return this.#native.describe();
    }

    #startPump(): void {
        if (this.#pumping) {
            return;
        }
        this.#pumping = true;
        void this.#pump();
    }

    async #pump(): Promise<void> {
        try {
            while (!this.#ended) {
                let frame: ShellFrame | null;
                try {
                    frame = await this.#owner.invoke(
                        undefined,
                        (token) => {
                            this.#pumpToken = token;
                            return this.#native.recv(PUMP_SLICE_MS, token);
                        },
                        true,
                    );
                } catch (error) {
                    if (error instanceof TimeoutError) {
                        continue;
                    }
                    if (!(error instanceof CancelledError) && !this.#ended) {
                        this.#failure = error;
                    }
                    break;
                }
                if (frame === null) {
                    break;
                }
                this.#deliver(frame);
            }
        } finally {
            this.#pumping = false;
            this.#pumpToken = undefined;
            this.#end();
        }
    }

    #deliver(frame: ShellFrame): void {
        for (const key of [frame.type, '*']) {
            const set = this.#listeners.get(key);
            if (set) {
                for (const fn of [...set]) {
                    fn(frame);
                }
            }
        }
        const waiter = this.#waiters.values().next().value as Waiter | undefined;
        if (waiter) {
            waiter.resolve(frame);
            return;
        }
        this.#buffer.push(frame);
        if (this.#buffer.length > MAX_BUFFERED_FRAMES) {
            this.#buffer.shift();
        }
    }

    #end(): void {
        this.#ended = true;
        for (const waiter of [...this.#waiters]) {
            if (this.#failure !== undefined) {
                waiter.reject(this.#failure);
            } else {
                waiter.resolve(null);
            }
        }
    }
}
