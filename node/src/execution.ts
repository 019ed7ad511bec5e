// Execution: the handle `exec(command, { background: true })` resolves to.
import type { CallOwner } from './calls';
import type { NativeExecution, NativeSandbox } from './native';
import type { CallOptions, ExecResult, ExecutionState, PollOptions } from './types';

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
        const { signal, pollIntervalMs, waitTimeoutMs, onOutput } = options;
        const result = await this.#owner.invoke(signal, (token) =>
            this.#sandbox.execWait(this.executionId, { pollIntervalMs, waitTimeoutMs, onOutput }, token),
        );
        this.status = result.status;
        return result;
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
