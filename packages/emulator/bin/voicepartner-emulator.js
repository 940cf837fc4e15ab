#!/usr/bin/env node
// Committed entry point, so that package managers can link the binary before a build.
await import("../dist/bin.js")
