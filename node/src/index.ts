// @sockt/client — the TypeScript/JavaScript SDK for Sockt sandboxes, on the native libsockt core.
//
//   import { ComputeClient } from '@sockt/client';
//   const client = new ComputeClient({ apiKey: process.env.SOCKT_API_KEY });
//   const sandbox = await client.createSandbox({ tier: 'micro', billingMethod: 'credits' });
//   const result = await sandbox.exec('python3 --version');
//   console.log(result.stdout);
//   await sandbox.terminate();
//
// Every network call runs on native threads owned by the addon, never on the event loop.
import { native } from './native';

export { ComputeClient } from './client';
export { Sandbox } from './sandbox';
export { Execution } from './execution';
export { ShellSession } from './shell';
export {
    SocktError,
    AuthenticationError,
    TopUpFailedError,
    RateLimitedError,
    NoCapacityError,
    HostUnreachableError,
    SandboxNotRunningError,
    SandboxStoppedError,
    APIError,
    ConnectionError,
    TimeoutError,
    CancelledError,
    InvalidArgumentError,
} from './errors';
export type { SocktErrorDetails } from './errors';
export type * from './types';

/** Version of the native core (libsockt) this package runs on. */
export function coreVersion(): string {
    return native().version();
}
