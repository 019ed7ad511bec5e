// Sandbox: lifecycle, commands, files, shell and billing events of one sandbox.
import { syncCall, type CallOwner } from './calls';
import { Described } from './described';
import { InvalidArgumentError } from './errors';
import { Execution } from './execution';
import type { NativeBillingEvent, NativeSandbox, NativeTransferOptions } from './native';
import { ShellSession } from './shell';
import { STAGE_SLICE_BYTES, stageBytes } from './staging';
import type {
    BillingWarning,
    CallOptions,
    CreatedSandbox,
    ExecOptions,
    ExecResult,
    FileEntry,
    ListFilesOptions,
    PendingInvoice,
    PollOptions,
    ReadFileOptions,
    SandboxEventName,
    SandboxEvents,
    SandboxState,
    SandboxStatus,
    TerminateResult,
    TransferOptions,
    TransferResult,
    WaitOptions,
    WriteFileOptions,
    WriteResult,
} from './types';

const EVENTS: readonly string[] = ['pending_invoice', 'low_balance', 'out_of_balance'];

type AnyListener = (payload: never) => void;

export class Sandbox extends Described {
    readonly #owner: CallOwner;
    readonly #native: NativeSandbox;
    readonly #listeners = new Map<string, { fns: Set<AnyListener>; nativeId: number }>();

    /** @internal Created by ComputeClient. */
    constructor(owner: CallOwner, nativeSandbox: NativeSandbox) {
        super();
        this.#owner = owner;
        this.#native = nativeSandbox;
    }

    get id(): string {
        return this.#native.id;
    }

    /**
     * The last known lifecycle state, without a network call (Python: `sandbox.status`). Named so
     * because `status()` is the overview's method that fetches the current state.
     */
    get currentStatus(): SandboxState {
        return this.#native.status;
    }

    /** The whole status from the last refresh, or null before the first one. */
    get lastStatus(): SandboxStatus | null {
        return this.#native.lastStatus;
    }

    /** The Lightning invoice to pay, if one is outstanding. */
    get pendingInvoice(): PendingInvoice | null {
        return this.#native.pendingInvoice;
    }

    /** The sandbox token (`sbx_…`) issued for a Lightning sandbox. */
    get sandboxToken(): string | null {
        return this.#native.sandboxToken;
    }

    /** The create response, for sandboxes made by createSandbox. */
    get created(): CreatedSandbox | null {
        return this.#native.created;
    }

    /** Polls until `running`; SandboxNotRunningError on timeout, `failed` or `terminated`. */
    waitUntilRunning(options: WaitOptions = {}): Promise<void> {
        const { signal, timeoutMs, pollIntervalMs } = options;
        return this.#owner.invoke(signal, (token) =>
            this.#native.waitUntilRunning({ timeoutMs, pollIntervalMs }, token),
        );
    }

    /** Fetches the status, updates `currentStatus`, fires billing events. */
    refreshStatus(options: CallOptions = {}): Promise<SandboxStatus> {
        return this.#owner.invoke(options.signal, (token) => this.#native.refreshStatus(token));
    }

    /** The overview's name for refreshStatus(): the current state (`.status`) and billing. */
    status(options: CallOptions = {}): Promise<SandboxStatus> {
        return this.refreshStatus(options);
    }

    /** Resolves to the status after the call (`paused`). */
    pause(options: CallOptions = {}): Promise<string> {
        return this.#owner.invoke(options.signal, (token) => this.#native.pause(token));
    }

    /** Resolves to the status after the call (`running`, or `starting`). */
    resume(options: CallOptions = {}): Promise<string> {
        return this.#owner.invoke(options.signal, (token) => this.#native.resume(token));
    }

    /** Destroys the sandbox; `lightningAddress` receives the unused Lightning balance. */
    terminate(
        options: CallOptions & { lightningAddress?: string | undefined } = {},
    ): Promise<TerminateResult> {
        return this.#owner.invoke(options.signal, (token) =>
            this.#native.terminate(options.lightningAddress, token),
        );
    }

    /**
     * Runs a command and resolves to its result `{ stdout, stderr, exitCode, … }` (a non-zero exit
     * code is a result, not an error). With `{ background: true }` resolves at once to an
     * Execution handle (Python's `exec`).
     */
    exec(command: string, options: ExecOptions & { background: true }): Promise<Execution>;
    exec(command: string, options?: ExecOptions & { background?: false | undefined }): Promise<ExecResult>;
    exec(command: string, options?: ExecOptions): Promise<ExecResult | Execution>;
    exec(command: string, options: ExecOptions = {}): Promise<ExecResult | Execution> {
        if (options.background) {
            const { signal, workingDir, timeoutMs } = options;
            return this.#owner.invoke(signal, async (token) => {
                const info = await this.#native.exec(command, { workingDir, timeoutMs }, token);
                return new Execution(this.#owner, this.#native, info);
            });
        }
        return this.execSync(command, options);
    }

    /**
     * Runs a command and waits for its result (Python: exec_sync). Aborting the signal also
     * cancels the command on the server.
     */
    async execSync(command: string, options: ExecOptions = {}): Promise<ExecResult> {
        const { signal, workingDir, timeoutMs, pollIntervalMs, waitTimeoutMs, onOutput } = options;
        const info = await this.#owner.invoke(signal, (token) =>
            this.#native.exec(command, { workingDir, timeoutMs }, token),
        );
        try {
            return await this.#owner.invoke(signal, (token) =>
                this.#native.execWait(
                    info.executionId,
                    { pollIntervalMs, waitTimeoutMs, onOutput },
                    token,
                ),
            );
        } catch (error) {
            if (signal?.aborted && !this.#owner.closed) {
                // Best effort: the caller gave up, so should the command.
                this.#owner
                    .invoke(undefined, (token) => this.#native.execCancel(info.executionId, token))
                    .catch(() => undefined);
            }
            throw error;
        }
    }

    /** One poll of an execution: the output not delivered before. */
    execResult(executionId: string, options: CallOptions = {}): Promise<ExecResult> {
        return this.#owner.invoke(options.signal, (token) =>
            this.#native.execResult(executionId, token),
        );
    }

    /** Polls an execution until it ends; all of its output. */
    execWait(executionId: string, options: PollOptions = {}): Promise<ExecResult> {
        const { signal, pollIntervalMs, waitTimeoutMs, onOutput } = options;
        return this.#owner.invoke(signal, (token) =>
            this.#native.execWait(executionId, { pollIntervalMs, waitTimeoutMs, onOutput }, token),
        );
    }

    /** Kills an execution; resolves to its status after the call. */
    execCancel(executionId: string, options: CallOptions = {}): Promise<string> {
        return this.#owner.invoke(options.signal, (token) =>
            this.#native.execCancel(executionId, token),
        );
    }

    /**
     * Writes text (or base64 with `encoding: 'base64'`), or exact bytes from a Uint8Array.
     *
     * As with `fs.write`, do not modify, transfer or resize a Uint8Array `content` until the
     * promise settles. Arrays up to 1 MiB are copied before `writeFile` returns, so later
     * changes cannot reach the upload. Larger arrays are copied a slice per event-loop turn (so
     * the upload does not block the loop): writing into one during those turns may upload a mix
     * of old and new bytes, and detaching or resizing it (postMessage or structuredClone with
     * `transfer`, `ArrayBuffer#transfer`, `resize`) rejects the call with InvalidArgumentError
     * and writes nothing. A view on a SharedArrayBuffer is copied the same way.
     */
    writeFile(
        path: string,
        content: string | Uint8Array,
        options: WriteFileOptions = {},
    ): Promise<WriteResult> {
        const { signal, encoding, createDirs } = options;
        if (content instanceof Uint8Array) {
            if (encoding !== undefined && encoding !== 'utf8') {
                return Promise.reject(
                    new InvalidArgumentError(
                        'encoding applies to string content only; pass the bytes without an encoding',
                    ),
                );
            }
            return this.#owner.invoke(signal, async (token) => {
                const staged =
                    content.byteLength > STAGE_SLICE_BYTES
                        ? await stageBytes(content, token)
                        : content;
                return this.#native.writeFileBytes(path, staged, { createDirs }, token);
            });
        }
        if (typeof content !== 'string') {
            return Promise.reject(
                new InvalidArgumentError('content must be a string or a Uint8Array'),
            );
        }
        return this.#owner.invoke(signal, (token) =>
            this.#native.writeFile(path, content, { encoding, createDirs }, token),
        );
    }

    /**
     * Reads a file: text by default, a base64 string with `encoding: 'base64'`, or the exact bytes
     * as a Uint8Array with `encoding: 'bytes'`.
     */
    readFile(path: string, options: ReadFileOptions & { encoding: 'bytes' }): Promise<Uint8Array>;
    readFile(
        path: string,
        options?: ReadFileOptions & { encoding?: 'utf8' | 'base64' | undefined },
    ): Promise<string>;
    readFile(path: string, options?: ReadFileOptions): Promise<string | Uint8Array>;
    readFile(path: string, options: ReadFileOptions = {}): Promise<string | Uint8Array> {
        const { signal, encoding, maxBytes } = options;
        if (encoding === 'bytes') {
            return this.#owner.invoke(signal, (token) =>
                this.#native.readFileBytes(path, { maxBytes }, token),
            );
        }
        return this.#owner.invoke(signal, (token) =>
            this.#native.readFile(path, { encoding, maxBytes }, token),
        );
    }

    /** Lists a directory (default the home). */
    listFiles(path = '.', options: ListFilesOptions = {}): Promise<FileEntry[]> {
        const { signal, recursive, maxDepth } = options;
        return this.#owner.invoke(signal, (token) =>
            this.#native.listFiles({ path, recursive, maxDepth }, token),
        );
    }

    /**
     * Copies a local file or directory to `remotePath`, which becomes that copy: a directory's
     * files land under `remotePath` itself (`upload('src', 'up')` gives `up/a.txt`, not
     * `up/src/a.txt`), recursively, several at a time; each file is read from disk while it is
     * sent. Python: `sandbox.upload(local_path, remote_path)`.
     */
    upload(
        localPath: string,
        remotePath: string,
        options: TransferOptions = {},
    ): Promise<TransferResult> {
        const { signal, ...rest } = options;
        return this.#owner.invoke(signal, (token) =>
            this.#native.upload(localPath, remotePath, transferOptions(rest), token),
        );
    }

    /**
     * Copies a remote file or directory to `localPath`, which becomes that copy (remote symlinks
     * are skipped; each file is written under a temporary name, then renamed).
     */
    download(
        remotePath: string,
        localPath: string,
        options: TransferOptions = {},
    ): Promise<TransferResult> {
        const { signal, ...rest } = options;
        return this.#owner.invoke(signal, (token) =>
            this.#native.download(remotePath, localPath, transferOptions(rest), token),
        );
    }

    /** A new, unconnected interactive shell: `await sandbox.shell().connect()`. */
    shell(): ShellSession {
        this.#owner.assertOpen();
        return new ShellSession(this.#owner, syncCall(() => this.#native.shell()));
    }

    /** Listens for `pending_invoice`, `low_balance` or `out_of_balance` (fired by status polls). */
    on<E extends SandboxEventName>(event: E, listener: SandboxEvents[E]): this {
        if (!EVENTS.includes(event)) {
            throw new InvalidArgumentError(
                `unknown event ${JSON.stringify(event)}; use one of ${EVENTS.join(', ')}`,
            );
        }
        if (typeof listener !== 'function') {
            throw new TypeError('listener must be a function');
        }
        let entry = this.#listeners.get(event);
        if (!entry) {
            const nativeId = syncCall(() =>
                this.#native.on(event, (payload) => this.#dispatch(event, payload)),
            );
            entry = { fns: new Set(), nativeId };
            this.#listeners.set(event, entry);
        }
        entry.fns.add(listener as AnyListener);
        return this;
    }

    off<E extends SandboxEventName>(event: E, listener: SandboxEvents[E]): this {
        const entry = this.#listeners.get(event);
        if (entry && entry.fns.delete(listener as AnyListener) && entry.fns.size === 0) {
            this.#listeners.delete(event);
            syncCall(() => this.#native.off(event, entry.nativeId));
        }
        return this;
    }

    #dispatch(event: string, payload: NativeBillingEvent): void {
        const entry = this.#listeners.get(event);
        if (!entry) {
            return;
        }
        const argument = event === 'pending_invoice' ? payload.invoice : toWarning(event, payload);
        if (argument === null) {
            return;
        }
        for (const fn of [...entry.fns]) {
            (fn as (value: unknown) => void)(argument);
        }
    }

    protected describeNative(): string {
        return this.#native.describe();
    }
}

function transferOptions(options: TransferOptions): NativeTransferOptions {
    const { concurrency, preserveMode, onProgress } = options;
    return { concurrency, preserveMode, onProgress };
}

function toWarning(event: string, payload: NativeBillingEvent): BillingWarning {
    const data = payload.data;
    const num = (key: string): number | null =>
        typeof data[key] === 'number' ? (data[key] as number) : null;
    return {
        event: event as BillingWarning['event'],
        warningLevel: typeof data.warning_level === 'string' ? data.warning_level : null,
        secondsRemaining: num('seconds_remaining'),
        prepaidBalanceMsats: num('prepaid_balance_msats'),
        pendingInvoice: payload.invoice ?? invoiceFrom(data.pending_invoice),
        raw: data,
    };
}

function invoiceFrom(value: unknown): PendingInvoice | null {
    if (typeof value !== 'object' || value === null) {
        return null;
    }
    const raw = value as Record<string, unknown>;
    return {
        bolt11: typeof raw.bolt11 === 'string' ? raw.bolt11 : '',
        paymentHash: typeof raw.payment_hash === 'string' ? raw.payment_hash : '',
        amountMsats: typeof raw.amount_msats === 'number' ? raw.amount_msats : 0,
        expiresAt: typeof raw.expires_at === 'string' ? raw.expires_at : null,
        raw,
    };
}
