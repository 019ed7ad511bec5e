// Execution: the handle `exec(command, { background: true })` resolves to.
import type { CallOwner } from './calls';
import type { NativeExecution, NativeSandbox } from './native';
import type { CallOptions, ExecResult, ExecutionState, PollOptions, StreamChunk } from './types';

export class Execution {
    readonly executionId: string;
    readonly sandboxId: string;
    readonly command: string;
    readonly workingDir: string | null;
    readonly timeoutMs: number | null;
    readonly startedAt: string | null;
    /** The exec response, as received. */
    readonly raw: Record<string, unknown>;
    /** `running` until a poll (result/wait) has seen the end. */
    status: ExecutionState;
    /** The whole result once the command has ended (after wait() or iterating to the end). */
    finalResult: ExecResult | null = null;

    readonly #owner: CallOwner;
    readonly #sandbox: NativeSandbox;

    /** @internal Created by Sandbox.exec. */
    constructor(owner: CallOwner, sandbox: NativeSandbox, info: NativeExecution) {
        this.#owner = owner;
        this.#sandbox = sandbox;
        this.executionId = info.executionId;
        this.sandboxId = info.sandboxId;
        this.command = info.command;
        this.workingDir = info.workingDir;
        this.timeoutMs = info.timeoutMs;
        this.startedAt = info.startedAt;
        this.raw = info.raw;
        this.status = info.status;
    }

    /** Polls until the command ends; the result holds all its output (also chunks seen by result()). */
    async wait(options: PollOptions = {}): Promise<ExecResult> {
        if (this.finalResult) {
            return this.finalResult;
        }
        const { signal, pollIntervalMs, waitTimeoutMs, onOutput } = options;
        const result = await this.#owner.invoke(signal, (token) =>
            this.#sandbox.execWait(this.executionId, { pollIntervalMs, waitTimeoutMs, onOutput }, token),
        );
        this.status = result.status;
        this.finalResult = result;
        return result;
    }

    /**
     * `for await (const chunk of execution)`: the output as it arrives (long-polled), from the
     * first chunk, as `{ stream, data }`; ends when the command ends, `finalResult` then holds
     * the whole result. Use `stream({ signal })` to make the iteration abortable.
     */
    [Symbol.asyncIterator](): AsyncIterator<StreamChunk> {
        return this.stream()[Symbol.asyncIterator]();
    }

    /** The async iterable behind `for await`, with call options. */
    async *stream(options: PollOptions = {}): AsyncGenerator<StreamChunk, void, undefined> {
        const { signal, pollIntervalMs, waitTimeoutMs } = options;
        for (;;) {
            const step = await this.#owner.invoke(signal, (token) =>
                this.#sandbox.execNext(this.executionId, { pollIntervalMs, waitTimeoutMs }, token),
            );
            for (const chunk of step.output) {
                yield { stream: chunk.stream, data: chunk.chunk };
            }
            this.status = step.status;
            if (step.status !== 'running') {
                await this.wait(options);
                return;
            }
        }
    }

    /** One poll: the output not delivered before (Python: exec_result). */
    async result(options: CallOptions = {}): Promise<ExecResult> {
        const result = await this.#owner.invoke(options.signal, (token) =>
            this.#sandbox.execResult(this.executionId, token),
        );
        this.status = result.status;
        return result;
    }

    /** Kills the command; resolves to the status after the call (`cancelled`, or how it ended). */
    async cancel(options: CallOptions = {}): Promise<string> {
        const status = await this.#owner.invoke(options.signal, (token) =>
            this.#sandbox.execCancel(this.executionId, token),
        );
        this.status = status;
        return status;
    }
}
