#!/usr/bin/env bash
# `pnpm install && pnpm dev` on a machine with only Node 20 and npm (like CI's): fetches
# Node 24 and pnpm from the npm registry first (cached in ~/.cache/voicepartner-ci).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=toolchain.sh
source scripts/toolchain.sh
pnpm install
exec pnpm dev
