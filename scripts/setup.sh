#!/usr/bin/env bash
# Installs what npm cannot: Debian's Chromium, which the docs' browser test (spec/docs/site.spec.ts)
# drives through playwright-core. Does nothing when /usr/bin/chromium is already there. Never
# downloads a browser of its own: Chromium comes from the Debian archive.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "setup: /usr/bin/chromium is installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: /usr/bin/chromium is missing and this machine has no apt-get;" \
    "install Chromium so that /usr/bin/chromium runs it (on Debian: apt-get update && apt-get install -y chromium)" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing Debian's chromium (apt-get update && apt-get install -y chromium)"
$sudo apt-get update
$sudo apt-get install -y chromium
