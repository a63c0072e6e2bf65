// Preloaded (node --require) into the jsii kernel process by cdktf_fargate/_provider.py.
//
// The AWS provider's lib/index.js is 2,135 lines of `exports.x = require("./x")`, so the
// kernel's require of the package loads every resource module (~1.8 s) although a synth
// uses a few dozen. While that one file runs, each of its relative requires returns a
// stand-in that loads the real module on first use. Nothing else is touched: requires
// from any other file, including the resource modules themselves, go through unchanged.
"use strict";

const Module = require("module");
const path = require("path");

const INDEX_SUFFIX = path.join("@cdktf", "provider-aws", "lib", "index.js");
const originalLoad = Module._load;

function lazyModule(request, parent, isMain) {
  let real;
  const load = () => {
    if (real === undefined) {
      real = originalLoad.call(Module, request, parent, isMain);
    }
    return real;
  };
  return new Proxy(
    {},
    {
      get: (_target, key) => load()[key],
      set: (_target, key, value) => {
        load()[key] = value;
        return true;
      },
      has: (_target, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_target, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
        // A proxy may not report a property as non-configurable unless its target has it.
        return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
      },
      defineProperty: (_target, key, descriptor) => Reflect.defineProperty(load(), key, descriptor),
      deleteProperty: (_target, key) => Reflect.deleteProperty(load(), key),
      getPrototypeOf: () => Reflect.getPrototypeOf(load()),
    },
  );
}

Module._load = function lazyProviderLoad(request, parent, isMain) {
  if (
    parent &&
    typeof parent.filename === "string" &&
    parent.filename.endsWith(INDEX_SUFFIX) &&
    request.startsWith("./")
  ) {
    return lazyModule(request, parent, isMain);
  }
  return originalLoad.call(this, request, parent, isMain);
};
