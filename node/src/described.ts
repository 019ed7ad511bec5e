// The string and inspect form of the public handles: the native object's own description, which
// never shows a credential (docs/protocol.md §12 rule 7).
import { inspect } from 'node:util';

export abstract class Described {
    /** @internal The native object's description. */
    protected abstract describeNative(): string;

    toString(): string {
        return this.describeNative();
    }

    [inspect.custom](): string {
        return this.describeNative();
    }
}
