#!/usr/bin/env bash
# Phase 1 (powers of tau) for circuits of up to 2^15 constraints: a development ceremony (two local
# contributions + a public beacon) writing ptau/pot15_final.ptau, then run build.sh for new keys.
# docs/zk-ceremony.md says which file is committed now and describes the production ceremony.
# Slow: `prepare phase2` needs over an hour on a busy 2-core machine.
set -euo pipefail
cd "$(dirname "$0")"
SNARKJS="node ../../node_modules/snarkjs/build/cli.cjs"
POWER=15
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

$SNARKJS powersoftau new bn128 $POWER "$WORK/pot_0000.ptau"
$SNARKJS powersoftau contribute "$WORK/pot_0000.ptau" "$WORK/pot_0001.ptau" \
  --name="CrowdAL dev contribution 1" -e="$(head -c 64 /dev/urandom | base64)"
$SNARKJS powersoftau contribute "$WORK/pot_0001.ptau" "$WORK/pot_0002.ptau" \
  --name="CrowdAL dev contribution 2" -e="$(head -c 64 /dev/urandom | base64)"
# Beacon: a public value nobody chose after seeing the contributions. Here (development) the SHA-256
# of a fixed phrase, recomputable by anyone; production uses a future block hash or drand round
# announced in advance (docs/zk-ceremony.md). 10 = 2^10 iterations of the hash.
BEACON=$(printf 'CrowdAL anon_claim development beacon' | sha256sum | cut -d' ' -f1)
$SNARKJS powersoftau beacon "$WORK/pot_0002.ptau" "$WORK/pot_beacon.ptau" "$BEACON" 10 -n="Final beacon"
$SNARKJS powersoftau prepare phase2 "$WORK/pot_beacon.ptau" ptau/pot${POWER}_final.ptau
$SNARKJS powersoftau verify ptau/pot${POWER}_final.ptau
