#!/usr/bin/env bash
# Every Drydock test, from a clean clone on a fresh Debian 12 machine:
# installs the Debian packages the tests use (real sshd hosts, Chromium,
# certbot + Pebble, openssl, java for the JVM_OPTS check), then lint,
# type checks, unit, integration (real lab), end-to-end (Chromium) and the
# packaging check. Needs root (the lab's hosts are namespaces + overlays).
set -euo pipefail
cd "$(dirname "$0")/.."

need_node="20.19.0"
if ! node -e "const [a,b]=process.versions.node.split('.').map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)" 2>/dev/null; then
  echo "test-all: Node.js >= $need_node is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "test-all: run as root (the test lab mounts overlays and starts sshd in namespaces)" >&2
  exit 1
fi

packages=(openssh-server openssh-client sudo chromium certbot pebble dnsutils jq openssl curl default-jre-headless util-linux iproute2 procps docker.io busybox-static)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test-all: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund
mkdir -p test-results
bash test/lab/cleanup.sh
trap 'bash test/lab/cleanup.sh' EXIT

npm run lint
npm run typecheck
npm run build
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
npx playwright test
node scripts/summarize-tests.mjs test-results/vitest.json test-results/e2e.json
