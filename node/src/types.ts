// Result and option types of the public API. Fields are camelCase; every result keeps the
// server's JSON (snake_case, as received) in `raw`.

/** A pricing tier (`GET /v1/sandboxes/tiers`). */
export interface Tier {
    name: string;
    msatsPerSecond: number;
    satsPerSecond: number;
    usdCentsPerSecond: number;
    costPerMinuteSats: number;
    costPerHourSats: number;
    costPerDaySats: number;
    costPerHourUsd: number;
    raw: Record<string, unknown>;
}

/** A Lightning invoice awaiting payment. */
export interface PendingInvoice {
    bolt11: string;
    paymentHash: string;
    amountMsats: number;
    /** ISO 8601, or null when unknown. */
    expiresAt: string | null;
    raw: Record<string, unknown>;
}

/** Lifecycle states; other strings may appear and must be tolerated. */
export type SandboxState =
    | 'awaiting_payment'
    | 'pending'
    | 'starting'
    | 'running'
    | 'paused'
    | 'terminated'
    | 'failed'
    | (string & {});

/** `GET /v1/sandboxes/{id}`. */
export interface SandboxStatus {
    sandboxId: string;
    status: SandboxState;
    tier: string;
    runtime: string;
    billingMethod: string;
    template: string;
    label: string | null;
    statusReason: string | null;
    createdAt: string | null;
    terminatedAt: string | null;
    consumedMsats: number;
    msatsPerSecond: number | null;
    satsPerSecond: number | null;
    prepaidBalanceMsats: number | null;
    secondsRemaining: number | null;
    warningLevel: string | null;
    nextPollSecs: number | null;
    metricsStale: boolean;
    runtimeConsumedTotal: number | null;
    pendingInvoice: PendingInvoice | null;
    invoice: string | null;
    sandboxToken: string | null;
    usdCentsPerSecond: number | null;
    consumedSubcents: number | null;
    prepaidBalanceSubcents: number | null;
    raw: Record<string, unknown>;
}

/** The answer to `createSandbox` (both the credits and the lightning shape). */
export interface CreatedSandbox {
    sandboxId: string;
    status: SandboxState;
    tier: string;
    billingMethod: string;
    label: string | null;
    sandboxToken: string | null;
    invoice: string | null;
    paymentHash: string | null;
    amountMsats: number | null;
    amountSats: number | null;
    msatsPerSecond: number | null;
    prepaidSeconds: number | null;
    expiresAt: string | null;
    pendingInvoice: PendingInvoice | null;
    prepaidBalanceSubcents: number | null;
    createdAt: string | null;
    raw: Record<string, unknown>;
}

/** One piece of a command's output, in arrival order. */
export interface OutputChunk {
    stream: 'stdout' | 'stderr' | (string & {});
    chunk: string;
}

/** One piece of output as `for await (const chunk of execution)` yields it. */
export interface StreamChunk {
    stream: 'stdout' | 'stderr' | (string & {});
    data: string;
}

/** Where an upload or download stands (`onProgress`). */
export interface TransferProgress {
    bytesDone: number;
    bytesTotal: number;
    filesDone: number;
    filesTotal: number;
}

/** What an upload or download moved. */
export interface TransferResult {
    /** Regular files written. */
    files: number;
    /** Directories of the copy (its root included); 0 for a single file. */
    directories: number;
    /** Content bytes of those files. */
    bytes: number;
}

/** Execution states: only `running` is not final. */
export type ExecutionState = 'running' | 'completed' | 'failed' | 'cancelled' | (string & {});

/** A command's result: one poll (`execResult`) or the whole run (`exec`, `execSync`, `wait`). */
export interface ExecResult {
    executionId: string;
    status: ExecutionState;
    output: OutputChunk[];
    /** Every stdout chunk joined. */
    stdout: string;
    /** Every other chunk joined. */
    stderr: string;
    /** null while running, or when the process could not start. */
    exitCode: number | null;
    error: string | null;
    pendingInvoice: PendingInvoice | null;
    sandboxId: string | null;
    startedAt: string | null;
    finishedAt: string | null;
    raw: Record<string, unknown>;
}

/** A directory entry (`listFiles`). */
export interface FileEntry {
    /** Path relative to the listed directory (`src/app.py` in recursive listings). */
    name: string;
    size: number;
    /** Modification time, Unix seconds. */
    modTs: number;
    isDir: boolean;
    isFile: boolean;
    isSymlink: boolean;
    raw: Record<string, unknown>;
}

export interface WriteResult {
    path: string;
    bytesWritten: number;
    createdDirs: boolean;
    raw: Record<string, unknown>;
}

export interface TerminateResult {
    sandboxId: string;
    status: SandboxState;
    consumedMsatsTotal: number;
    terminatedAt: string | null;
    alreadyTerminated: boolean;
    /** e.g. `{ status: 'sent', amount_sats: 3750, address: '…' }`, or null. */
    refund: Record<string, unknown> | null;
    raw: Record<string, unknown>;
}

/** Payload of the `low_balance` and `out_of_balance` events. */
export interface BillingWarning {
    event: 'low_balance' | 'out_of_balance';
    warningLevel: string | null;
    secondsRemaining: number | null;
    prepaidBalanceMsats: number | null;
    pendingInvoice: PendingInvoice | null;
    /** The status (or execution poll) body that carried the warning. */
    raw: Record<string, unknown>;
}

export interface SandboxEvents {
    pending_invoice: (invoice: PendingInvoice) => void;
    low_balance: (warning: BillingWarning) => void;
    out_of_balance: (warning: BillingWarning) => void;
}
export type SandboxEventName = keyof SandboxEvents;

/** A frame from the interactive shell. */
export interface ShellFrame {
    /** `stdout`, `stderr`, `billing`, `low_balance`, `deposit_required`, `out_of_balance`, `error`, `exit`, … */
    type: string;
    data: string;
    /** Exit status, on `exit` frames. */
    code: number | null;
    raw: Record<string, unknown>;
}

/** Every call that can wait takes an AbortSignal. */
export interface CallOptions {
    signal?: AbortSignal | undefined;
}

export interface ComputeClientOptions {
    /** `sockt_live_…`; default env SOCKT_API_KEY. */
    apiKey?: string | undefined;
    /** `sbx_…`; default env SOCKT_SANDBOX_TOKEN. */
    sandboxToken?: string | undefined;
    /** Default env SOCKT_API_URL, else https://api.sockt.dev (without `/v1`). */
    baseUrl?: string | undefined;
    /** Whole-request deadline of each HTTP request; default 120 000. */
    timeoutMs?: number | undefined;
    /** PEM bundle to trust instead of the system CAs; default env SOCKT_CA_FILE. */
    caFile?: string | undefined;
}

export interface CreateSandboxOptions extends CallOptions {
    /** `nano` (default), `micro`, `small`, `medium`, `large`, `gpu-small`. */
    tier?: string | undefined;
    billingMethod?: 'credits' | 'lightning' | undefined;
    /** Lightning only. */
    prepaidSats?: number | undefined;
    /** Credits only. */
    initialCreditsCents?: number | undefined;
    label?: string | undefined;
}

export interface WaitOptions extends CallOptions {
    /** Default 120 000. */
    timeoutMs?: number | undefined;
    /** Default 2 000. */
    pollIntervalMs?: number | undefined;
}

export interface PollOptions extends CallOptions {
    /** Longest sleep between result polls; default 500 (unused while the server long-polls). */
    pollIntervalMs?: number | undefined;
    /** Give up with a TimeoutError after this long (the command keeps running). */
    waitTimeoutMs?: number | undefined;
    /** Called on the event loop for every output chunk as it arrives. */
    onOutput?: ((chunk: OutputChunk) => void) | undefined;
}

export interface TransferOptions extends CallOptions {
    /** Files moving at once; default 8. */
    concurrency?: number | undefined;
    /**
     * Carry mode bits over (default true): the file routes have none, so an upload sets the modes
     * that differ from 0644/0755 with one command in the sandbox, and a download reads them with
     * one command and applies them locally.
     */
    preserveMode?: boolean | undefined;
    /** Called on the event loop as bytes move. */
    onProgress?: ((progress: TransferProgress) => void) | undefined;
}

export interface ExecOptions extends PollOptions {
    /** Relative to /home/sandbox; default the home. */
    workingDir?: string | undefined;
    /** Server-side limit of the command; default 30 000, 0 = none. */
    timeoutMs?: number | undefined;
    /** Resolve at once with an Execution handle instead of waiting for the result. */
    background?: boolean | undefined;
}

export interface WriteFileOptions extends CallOptions {
    /** For string content: `utf8` (default) writes the text, `base64` decodes it first. */
    encoding?: 'utf8' | 'base64' | undefined;
    /** Default true. */
    createDirs?: boolean | undefined;
}

export interface ReadFileOptions extends CallOptions {
    /**
     * `utf8` (default): the text; `base64`: the bytes base64-encoded, as a string;
     * `bytes`: the exact bytes as a Uint8Array (a Buffer).
     */
    encoding?: 'utf8' | 'base64' | 'bytes' | undefined;
    maxBytes?: number | undefined;
}

export interface ListFilesOptions extends CallOptions {
    recursive?: boolean | undefined;
    /** Levels below the listed directory in recursive listings; 0 = unlimited. */
    maxDepth?: number | undefined;
}

export interface RecvOptions extends CallOptions {
    /** Default 30 000; `Infinity` waits for ever. */
    timeoutMs?: number | undefined;
}
