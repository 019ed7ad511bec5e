// Loads the addon (bindings/node → sockt_node.node) and types its private surface.
// The addon is loaded on first use, so `import '@sockt/client'` alone never fails.
import * as fs from 'node:fs';
import * as path from 'node:path';

import type {
    CreatedSandbox,
    ExecResult,
    FileEntry,
    OutputChunk,
    PendingInvoice,
    SandboxStatus,
    ShellFrame,
    Tier,
    TerminateResult,
    TransferProgress,
    TransferResult,
    WriteResult,
} from './types';

export interface NativeCancelToken {
    cancel(): void;
    readonly cancelled: boolean;
}

export interface NativeExecution {
    executionId: string;
    status: string;
    sandboxId: string;
    command: string;
    workingDir: string | null;
    timeoutMs: number | null;
    startedAt: string | null;
    raw: Record<string, unknown>;
}

export interface NativeBillingEvent {
    name: string;
    invoice: PendingInvoice | null;
    data: Record<string, unknown>;
}

type Token = NativeCancelToken | undefined;

/** Native memory an upload is copied into before a pool thread reads it (node/src/staging.ts). */
export interface NativeByteStage {
    /** Copies bytes[offset, offset + length) after what was appended; returns the bytes staged. */
    append(bytes: Uint8Array, offset: number, length: number): number;
    /** Frees the memory now (writeFileBytes takes it, so only needed when giving up). */
    dispose(): void;
    readonly filled: number;
}

export interface NativePollOptions {
    pollIntervalMs?: number | undefined;
    waitTimeoutMs?: number | undefined;
    onOutput?: ((chunk: OutputChunk) => void) | undefined;
}

export interface NativeTransferOptions {
    concurrency?: number | undefined;
    preserveMode?: boolean | undefined;
    onProgress?: ((progress: TransferProgress) => void) | undefined;
}

export interface NativeShell {
    connect(cancel: Token): Promise<void>;
    close(): Promise<void>;
    send(data: string): void;
    sendLine(line: string): void;
    resize(cols: number, rows: number): void;
    recv(timeoutMs: number, cancel: Token): Promise<ShellFrame | null>;
    describe(): string;
    readonly connected: boolean;
    readonly exitCode: number | null;
    readonly closeCode: number;
}

export interface NativeSandbox {
    readonly id: string;
    readonly status: string;
    readonly pendingInvoice: PendingInvoice | null;
    readonly sandboxToken: string | null;
    readonly lastStatus: SandboxStatus | null;
    readonly created: CreatedSandbox | null;
    describe(): string;
    waitUntilRunning(
        options: { timeoutMs?: number | undefined; pollIntervalMs?: number | undefined },
        cancel: Token,
    ): Promise<void>;
    refreshStatus(cancel: Token): Promise<SandboxStatus>;
    pause(cancel: Token): Promise<string>;
    resume(cancel: Token): Promise<string>;
    terminate(lightningAddress: string | undefined, cancel: Token): Promise<TerminateResult>;
    exec(
        command: string,
        options: { workingDir?: string | undefined; timeoutMs?: number | undefined },
        cancel: Token,
    ): Promise<NativeExecution>;
    execResult(executionId: string, cancel: Token): Promise<ExecResult>;
    execCancel(executionId: string, cancel: Token): Promise<string>;
    execWait(executionId: string, options: NativePollOptions, cancel: Token): Promise<ExecResult>;
    /** Output not handed out before (from the first chunk), with the final status at the end. */
    execNext(executionId: string, options: NativePollOptions, cancel: Token): Promise<ExecResult>;
    upload(
        localPath: string,
        remotePath: string,
        options: NativeTransferOptions,
        cancel: Token,
    ): Promise<TransferResult>;
    download(
        remotePath: string,
        localPath: string,
        options: NativeTransferOptions,
        cancel: Token,
    ): Promise<TransferResult>;
    writeFile(
        path: string,
        content: string,
        options: { encoding?: string | undefined; createDirs?: boolean | undefined },
        cancel: Token,
    ): Promise<WriteResult>;
    /** A Uint8Array is copied during the call; a ByteStage is taken (emptied) by it. */
    writeFileBytes(
        path: string,
        content: Uint8Array | NativeByteStage,
        options: { createDirs?: boolean | undefined },
        cancel: Token,
    ): Promise<WriteResult>;
    readFile(
        path: string,
        options: { encoding?: string | undefined; maxBytes?: number | undefined },
        cancel: Token,
    ): Promise<string>;
    readFileBytes(
        path: string,
        options: { maxBytes?: number | undefined },
        cancel: Token,
    ): Promise<Uint8Array>;
    listFiles(
        options: {
            path?: string | undefined;
            recursive?: boolean | undefined;
            maxDepth?: number | undefined;
        },
        cancel: Token,
    ): Promise<FileEntry[]>;
    shell(): NativeShell;
    on(event: string, listener: (event: NativeBillingEvent) => void): number;
    off(event: string, id: number): boolean;
}

export interface NativeClientOptions {
    apiKey?: string | undefined;
    sandboxToken?: string | undefined;
    baseUrl?: string | undefined;
    timeoutMs?: number | undefined;
    caFile?: string | undefined;
    userAgentSuffix?: string | undefined;
}

export interface NativeClient {
    listTiers(cancel: Token): Promise<Tier[]>;
    createSandbox(
        options: {
            tier?: string | undefined;
            billingMethod?: string | undefined;
            prepaidSats?: number | undefined;
            initialCreditsCents?: number | undefined;
            label?: string | undefined;
        },
        cancel: Token,
    ): Promise<NativeSandbox>;
    getSandbox(sandboxId: string, cancel: Token): Promise<NativeSandbox>;
    sandbox(sandboxId: string): NativeSandbox;
    close(): Promise<void>;
    describe(): string;
    readonly closed: boolean;
    readonly baseUrl: string;
}

export interface NativeModule {
    NativeClient: new (options: NativeClientOptions) => NativeClient;
    CancelToken: new () => NativeCancelToken;
    ByteStage: new (length: number) => NativeByteStage;
    shutdown(): void;
    version(): string;
}

const ADDON = 'sockt_node.node';

/** The package root (this file is node/dist/native.js). */
export const packageRoot = path.resolve(__dirname, '..', '..');

interface Locate {
    addonCandidates(root: string): string[];
    prebuildTag(): string;
}
// One list of places for the addon and the CLI, shared with the `sockt` bin (node/bin/locate.cjs).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const locate = require(path.join(packageRoot, 'node', 'bin', 'locate.cjs')) as Locate;

/** Where the addon may be, most specific first. */
export function addonCandidates(): string[] {
    return locate.addonCandidates(packageRoot);
}

let loaded: NativeModule | undefined;

export function native(): NativeModule {
    if (loaded) {
        return loaded;
    }
    const candidates = addonCandidates();
    const file = candidates.find((candidate) => fs.existsSync(candidate));
    if (!file) {
        throw new Error(
            `@sockt/client: no prebuilt ${ADDON} for ${locate.prebuildTag()} ` +
                `(looked in ${candidates.join(', ')}). Build one from source with ` +
                '`SOCKT_BUILD_FROM_SOURCE=1 npm rebuild @sockt/client`; it says what it needs.',
        );
    }
    let mod: NativeModule;
    try {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        mod = require(file) as NativeModule;
    } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
            `@sockt/client: cannot load ${file}: ${reason}. ` +
                'Build the addon for this system with `SOCKT_BUILD_FROM_SOURCE=1 npm rebuild @sockt/client`.',
        );
    }
    // process.exit() skips the addon's environment cleanup: stop native calls in flight here so
    // none is inside the core while the process tears down.
    process.on('exit', () => mod.shutdown());
    loaded = mod;
    return mod;
}
