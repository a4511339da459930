#!/usr/bin/env bash
# Every Drydock test, from a clean clone on a fresh Debian 12 machine:
# installs the Debian packages the tests use (real sshd hosts, Chromium,
# certbot + Pebble, openssl, java for the JVM_OPTS check), then lint,
# type checks, unit, integration (real lab), end-to-end (Chromium) and the
# packaging check. Needs root (the lab's hosts are namespaces + overlays).
#
# The air gap (README): after the installs, everything runs in a fresh network
# namespace with only loopback up (unshare -n), so a test or a Drydock process
# that reaches for the internet fails here. The lab's hosts share that
# namespace. The script re-runs itself in it (from the checkout's root) with
# --inside-air-gap.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = --inside-air-gap ]; then
  # Prove the gap rather than assume it: loopback only, no default route.
  if ip -o link show up | grep -qv ': lo:' || [ -n "$(ip route show default)$(ip -6 route show default)" ]; then
    echo "test-all: --inside-air-gap but this network namespace has a way out:" >&2
    ip -o link show up >&2; ip route show default >&2
    exit 1
  fi
  echo "test-all: air gap: only loopback, no route out"
  mkdir -p test-results
  bash test/lab/cleanup.sh
  trap 'bash test/lab/cleanup.sh' EXIT

  npm run lint
  npm run typecheck
  npm run build
  npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
  npx playwright test
  node scripts/summarize-tests.mjs test-results/vitest.json test-results/e2e.json
  exit 0
fi

need_node="20.19.0"
if ! node -e "const [a,b]=process.versions.node.split('.').map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)" 2>/dev/null; then
  echo "test-all: Node.js >= $need_node is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "test-all: run as root (the test lab mounts overlays and starts sshd in namespaces)" >&2
  exit 1
fi

packages=(openssh-server openssh-client sudo chromium certbot pebble dnsutils jq openssl curl default-jre-headless util-linux iproute2 procps passwd ca-certificates squid apache2-utils wget awscli libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-utils qemu-system-x86 docker.io busybox-static iptables nftables netcat-openbsd)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test-all: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund

# The rest with no route out: a new network namespace, loopback up, nothing else.
exec unshare --net -- bash -c 'ip link set lo up && exec bash scripts/test-all.sh --inside-air-gap'
