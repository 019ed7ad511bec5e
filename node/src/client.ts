// ComputeClient: the entry point (API overview "ComputeClient methods", Python SDK reference).
import { CallOwner, syncCall } from './calls';
import { Described } from './described';
import { native, type NativeClient } from './native';
import { Sandbox } from './sandbox';
import type { CallOptions, ComputeClientOptions, CreateSandboxOptions, Tier } from './types';

export class ComputeClient extends Described {
    readonly #owner = new CallOwner();
    readonly #native: NativeClient;

    /**
     * Options win over the environment (SOCKT_API_KEY, SOCKT_SANDBOX_TOKEN, SOCKT_API_URL,
     * SOCKT_CA_FILE), which wins over the defaults; an empty string counts as unset. The core
     * applies the environment and the defaults and checks the values. Nothing is sent until a call.
     */
    constructor(options: ComputeClientOptions = {}) {
        super();
        const version = typeof process.versions.node === 'string' ? process.versions.node : '';
        this.#native = syncCall(
            () =>
                new (native().NativeClient)({
                    apiKey: options.apiKey,
                    sandboxToken: options.sandboxToken,
                    baseUrl: options.baseUrl,
                    timeoutMs: options.timeoutMs,
                    caFile: options.caFile,
                    userAgentSuffix: `node/${version}`,
                }),
        );
    }

    /** The API base URL in use (without `/v1`). */
    get baseUrl(): string {
        return this.#native.baseUrl;
    }

    get closed(): boolean {
        return this.#owner.closed;
    }

    /** The pricing tiers. */
    listTiers(options: CallOptions = {}): Promise<Tier[]> {
        return this.#owner.invoke(options.signal, (token) => this.#native.listTiers(token));
    }

    /**
     * Creates a sandbox. Credits sandboxes start booting at once (`exec` waits for them); a
     * Lightning sandbox waits for its `pendingInvoice` to be paid.
     */
    createSandbox(options: CreateSandboxOptions = {}): Promise<Sandbox> {
        const { signal, tier, billingMethod, prepaidSats, initialCreditsCents, label } = options;
        return this.#owner.invoke(signal, async (token) => {
            const handle = await this.#native.createSandbox(
                { tier, billingMethod, prepaidSats, initialCreditsCents, label },
                token,
            );
            return new Sandbox(this.#owner, handle);
        });
    }

    /** An existing sandbox, with its status loaded. */
    getSandbox(sandboxId: string, options: CallOptions = {}): Promise<Sandbox> {
        return this.#owner.invoke(options.signal, async (token) => {
            const handle = await this.#native.getSandbox(sandboxId, token);
            return new Sandbox(this.#owner, handle);
        });
    }

    /** A handle on a sandbox without a network call (`currentStatus` is '' until a refresh). */
    sandbox(sandboxId: string): Sandbox {
        this.#owner.assertOpen();
        return new Sandbox(this.#owner, syncCall(() => this.#native.sandbox(sandboxId)));
    }

    /**
     * Cancels the calls in flight (they reject with ConnectionError), closes every connection.
     * Afterwards nothing of this client keeps the process alive. Idempotent.
     */
    async close(): Promise<void> {
        if (this.#owner.closed && this.#native.closed) {
            return;
        }
        this.#owner.closeAll();
        await this.#owner.invoke(undefined, () => this.#native.close(), true);
    }

    async [Symbol.asyncDispose](): Promise<void> {
        await this.close();
    }

    protected describeNative(): string {
        return this.#native.describe();
    }
}
