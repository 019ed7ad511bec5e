// The TypeScript types of node/src against the model table bindings/models/fields.hpp, from which
// the addon's converters are expanded: a type that names a field the table does not (or types it
// otherwise, or misses one) fails here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');

function readTable() {
    const table = new Map();
    let current = null;
    for (const line of read('bindings/models/fields.hpp').split('\n')) {
        const start = /#define SOCKT_MODEL_(\w+)\(F\)/.exec(line);
        if (start) {
            current = [];
            table.set(start[1], current);
            continue;
        }
        const row = /^\s*F\(([^,]+), (\w+), (\w+), (\w+), (\w+)\)/.exec(line);
        if (row && current) {
            current.push({ camel: row[3], kind: row[4], fronts: row[5] });
        }
        if (!line.trimEnd().endsWith('\\')) {
            current = null;
        }
    }
    return table;
}

// `export interface Name { field: type; … }` and `export type Name = …;` of a source file.
function readTypes(source) {
    // `(string & {})` would end an interface body early: its braces are renamed first.
    const text = source
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '')
        .replaceAll('{}', 'EMPTY');
    const interfaces = new Map();
    for (const m of text.matchAll(/export interface (\w+)(?: extends [\w, ]+)? \{([^}]*)\}/g)) {
        const fields = new Map();
        for (const f of m[2].matchAll(/^\s*(?:readonly )?(\w+)(\??): ([^;]+);/gm)) {
            fields.set(f[1], f[3].replace(/\s+/g, ' ').trim());
        }
        interfaces.set(m[1], fields);
    }
    const aliases = new Map();
    for (const m of text.matchAll(/export type (\w+) =([^;]+);/g)) {
        aliases.set(m[1], m[2]);
    }
    return { interfaces, aliases };
}

const TS_TYPES = {
    Int: 'number',
    Float: 'number',
    Count: 'number',
    Bool: 'boolean',
    OptStr: 'string | null',
    OptInt: 'number | null',
    OptFloat: 'number | null',
    Json: 'Record<string, unknown>',
    OptJson: 'Record<string, unknown> | null',
    Invoice: 'PendingInvoice | null',
    Chunks: 'OutputChunk[]',
};

// A string field may be typed as a union of known values that still admits any string.
function isStringType(type, aliases) {
    const text = aliases.get(type) ?? type;
    return text === 'string' || text.includes('(string & EMPTY)');
}

// Table models → their interface; ReadResult has none (readFile resolves to the content).
const INTERFACES = {
    Execution: 'NativeExecution',
    BillingEvent: 'NativeBillingEvent',
};
const WITHOUT_INTERFACE = new Set(['ReadResult']);

describe('model table (bindings/models/fields.hpp) against node/src', () => {
    const table = readTable();
    const types = readTypes(read('node/src/types.ts'));
    const native = readTypes(read('node/src/native.ts'));

    it('reads every model of the table', () => {
        assert.ok(table.size >= 11);
    });

    for (const [model, rows] of table) {
        if (WITHOUT_INTERFACE.has(model)) {
            continue;
        }
        it(`${model}: the interface has exactly the table's fields and types`, () => {
            const name = INTERFACES[model] ?? model;
            const fields = types.interfaces.get(name) ?? native.interfaces.get(name);
            assert.ok(fields, `no interface ${name}`);
            const expected = rows.filter((r) => r.fronts !== 'PyOnly');
            assert.deepEqual([...fields.keys()].sort(), expected.map((r) => r.camel).sort());
            for (const { camel, kind } of expected) {
                const type = fields.get(camel);
                if (kind === 'Str') {
                    assert.ok(isStringType(type, types.aliases), `${name}.${camel}: ${type}`);
                } else {
                    assert.equal(type, TS_TYPES[kind], `${name}.${camel}`);
                }
            }
        });
    }
});
