// What the bundle gets for `require("debug")` (scripts/build.mjs). mqtt-packet calls debug() a
// dozen times per packet it parses or writes; the real one, even when off, gathers its arguments
// into an array first: 2 KB of garbage per event drained, a fifth of all the drain allocated
// (docs/design-notes.md "Draining a backlog"). With DEBUG set at start the real one is used.
"use strict";
if (process.env.DEBUG) {
  module.exports = require("debug");
} else {
  const off = () => {};
  off.enabled = false;
  off.namespace = "";
  off.extend = () => off;
  off.destroy = () => true;
  const createDebug = () => off;
  createDebug.enable = () => {};
  createDebug.disable = () => "";
  createDebug.enabled = () => false;
  createDebug.debug = createDebug;
  createDebug.default = createDebug;
  module.exports = createDebug;
}
