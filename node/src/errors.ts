// Error classes (official Python SDK "Error hierarchy", docs/protocol.md §12 rule 8).
//
//   SocktError
//   ├── AuthenticationError      401 / 403
//   ├── TopUpFailedError         402
//   ├── RateLimitedError         429 (retryAfter seconds or null)
//   ├── NoCapacityError          503 no_capacity
//   ├── HostUnreachableError     502, other 503
//   ├── SandboxNotRunningError   wait timed out, sandbox failed/terminated
//   ├── APIError                 any other status >= 400
//   │   └── SandboxStoppedError  409 sandbox_paused, 410: also `instanceof SandboxNotRunningError`
//   ├── ConnectionError          refused, reset, DNS, TLS; or the client was closed
//   ├── TimeoutError             request deadline or wait deadline
//   ├── CancelledError           cancelled without an AbortSignal (process exit)
//   └── InvalidArgumentError     rejected before anything was sent

export interface SocktErrorDetails {
    slug?: string | null | undefined;
    statusCode?: number | null | undefined;
    requestId?: string | null | undefined;
    hint?: string | null | undefined;
    body?: string | null | undefined;
    retryAfter?: number | null | undefined;
}

export class SocktError extends Error {
    /** Machine-readable code (`sandbox_paused`, `no_capacity`, …), or null. */
    readonly slug: string | null;
    /** HTTP status, or null when no response was received. */
    readonly statusCode: number | null;
    /** The server's X-Request-Id, or null. */
    readonly requestId: string | null;
    readonly hint: string | null;
    /** The raw response body (trimmed), or null. */
    readonly body: string | null;

    constructor(message: string, details: SocktErrorDetails = {}) {
        super(message);
        this.name = new.target.name;
        this.slug = details.slug ?? null;
        this.statusCode = details.statusCode ?? null;
        this.requestId = details.requestId ?? null;
        this.hint = details.hint ?? null;
        this.body = details.body ?? null;
    }
}

export class AuthenticationError extends SocktError {}
export class TopUpFailedError extends SocktError {}
export class NoCapacityError extends SocktError {}
export class HostUnreachableError extends SocktError {}
export class APIError extends SocktError {}
export class ConnectionError extends SocktError {}
export class TimeoutError extends SocktError {}
export class CancelledError extends SocktError {}
export class InvalidArgumentError extends SocktError {}

export class RateLimitedError extends SocktError {
    /** Seconds from Retry-After, or null. */
    readonly retryAfter: number | null;

    constructor(message: string, details: SocktErrorDetails = {}) {
        super(message, details);
        this.retryAfter = details.retryAfter ?? null;
    }
}

export class SandboxNotRunningError extends SocktError {
    // A 409 sandbox_paused / 410 is an APIError (so code written for the official SDK's "other
    // 4xx" keeps working) and must also be caught as SandboxNotRunningError; JS has single
    // inheritance, so this class answers instanceof for it too.
    static override [Symbol.hasInstance](value: unknown): boolean {
        if (Function.prototype[Symbol.hasInstance].call(this, value)) {
            return true;
        }
        return this === SandboxNotRunningError && value instanceof SandboxStoppedError;
    }
}

/** 409 `sandbox_paused` or 410 `sandbox_terminated`: an APIError and a SandboxNotRunningError. */
export class SandboxStoppedError extends APIError {}

/** What the addon rejects with (bindings/node/errors.cpp). */
interface NativeErrorShape {
    message: string;
    kind: string;
    slug: string | null;
    statusCode: number | null;
    requestId: string | null;
    hint: string | null;
    body: string | null;
    retryAfter: number | null;
}

type ErrorClass = new (message: string, details?: SocktErrorDetails) => SocktError;

// The core's name of each error kind (errorKindName, core/src/errors.cpp) → its class.
const KIND_CLASSES: Record<string, ErrorClass> = {
    generic: SocktError,
    authentication: AuthenticationError,
    top_up_failed: TopUpFailedError,
    rate_limited: RateLimitedError,
    no_capacity: NoCapacityError,
    host_unreachable: HostUnreachableError,
    sandbox_not_running: SandboxNotRunningError,
    sandbox_stopped: SandboxStoppedError,
    api: APIError,
    connection: ConnectionError,
    timeout: TimeoutError,
    cancelled: CancelledError,
    invalid_argument: InvalidArgumentError,
};

export function isNativeError(error: unknown): error is Error & NativeErrorShape {
    return error instanceof Error && typeof (error as Partial<NativeErrorShape>).kind === 'string';
}

export function nativeKind(error: unknown): string | undefined {
    return isNativeError(error) ? error.kind : undefined;
}

/**
 * The public error for an addon error; other errors (TypeError for a wrong argument type) pass
 * through. `site` carries the caller's stack, which the addon's error (created on the event
 * loop when the promise settles) cannot have.
 */
export function fromNative(error: unknown, site?: Error): unknown {
    if (!isNativeError(error)) {
        return error;
    }
    const Class = KIND_CLASSES[error.kind] ?? SocktError;
    const result = new Class(error.message, {
        slug: error.slug,
        statusCode: error.statusCode,
        requestId: error.requestId,
        hint: error.hint,
        body: error.body,
        retryAfter: error.retryAfter,
    });
    if (site?.stack) {
        const frames = site.stack.split('\n').slice(1).join('\n');
        result.stack = `${result.name}: ${result.message}\n${frames}`;
    }
    return result;
}
