// The error kinds the core names (kKindNames in core/src/errors.cpp, what the addon reports as an
// error's `kind`) against the classes node/src/errors.ts maps them to: a kind without a class
// would surface as a bare SocktError.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const read = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('error kinds', () => {
    it('every kind of the core has a class in node/src/errors.ts, and no other', () => {
        const table = /kKindNames\[\] = \{([^}]*)\}/.exec(read('core/src/errors.cpp'));
        assert.ok(table, 'kKindNames not found');
        const kinds = [...table[1].matchAll(/"(\w+)"/g)].map((m) => m[1]);
        const map = /const KIND_CLASSES[^{]*\{([^}]*)\}/.exec(read('node/src/errors.ts'));
        assert.ok(map, 'KIND_CLASSES not found');
        const mapped = [...map[1].matchAll(/^\s*(\w+):/gm)].map((m) => m[1]);
        assert.equal(kinds.length, 13);
        assert.deepEqual([...mapped].sort(), [...kinds].sort());
    });
});
