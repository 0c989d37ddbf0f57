// CommonJS host: callperm is ES modules only, and Node >= 20.19 loads them with require() (no top-level
// await anywhere in the packages). This checks that it works and that the exports are the ESM ones.
const assert = require('node:assert/strict');

const core = require('@callperm/core');
assert.equal(typeof core.createCallPermissions, 'function');
assert.equal(typeof core.parseWebhook, 'function');
const { createWebhookHandler } = require('@callperm/adapters/webhook');
assert.equal(typeof createWebhookHandler, 'function');
const { graphApi } = require('@callperm/adapters/graph');
assert.equal(typeof graphApi, 'function');
const { sqliteStore } = require('@callperm/adapters/storage/sqlite');
assert.equal(typeof sqliteStore, 'function');
assert.throws(() => require('@callperm/adapters/storage/shared/attempt'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
console.log(`require: @callperm/core and @callperm/adapters load with require() on Node ${process.versions.node}`);
