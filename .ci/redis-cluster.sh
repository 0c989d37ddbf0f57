#!/usr/bin/env bash
# Starts a Redis Cluster of 3 masters on loopback for the tests (REDIS_CLUSTER_NODES), unless one already
# answers there with cluster_state:ok, and waits until it does. Idempotent: run it as often as you like.
# Ports: CALLPERM_REDIS_CLUSTER_PORTS (default "7391 7392 7393"; each also uses PORT+10000 for the cluster bus).
# Data: nothing is saved (no RDB, no AOF); node files live under CALLPERM_REDIS_CLUSTER_DIR.
# Stop it: for p in 7391 7392 7393; do redis-cli -p $p shutdown nosave; done
set -euo pipefail

PORTS=(${CALLPERM_REDIS_CLUSTER_PORTS:-7391 7392 7393})
DIR="${CALLPERM_REDIS_CLUSTER_DIR:-${TMPDIR:-/tmp}/callperm-redis-cluster}"

cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}" 2>/dev/null; }
node_up() { cli "$1" ping | grep -q PONG; }
cluster_ok() { cli "$1" cluster info | tr -d '\r' | grep -q '^cluster_state:ok$'; }
known_nodes() { cli "$1" cluster info | tr -d '\r' | sed -n 's/^cluster_known_nodes://p'; }
all_ok() {
  for p in "${PORTS[@]}"; do cluster_ok "$p" && [ "$(known_nodes "$p")" = "${#PORTS[@]}" ] || return 1; done
}

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "Redis Cluster: NOT started (redis-server and redis-cli are needed)"
  exit 0
fi

if all_ok; then
  echo "Redis Cluster: up (127.0.0.1:${PORTS[*]})"
  exit 0
fi

for p in "${PORTS[@]}"; do
  if ! node_up "$p"; then
    mkdir -p "$DIR/$p"
    # A node file from an earlier cluster would make this node rejoin it: start clean.
    rm -f "$DIR/$p/nodes.conf"
    redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout 5000 --daemonize yes --save "" --appendonly no --dir "$DIR/$p" --logfile "$DIR/$p/redis.log"
  fi
done
for _ in $(seq 1 40); do
  up=1
  for p in "${PORTS[@]}"; do node_up "$p" || up=0; done
  [ "$up" = 1 ] && break
  sleep 0.25
done

if ! all_ok; then
  # Nodes that answer but do not form this cluster (fresh, or left over from a broken one): empty them and form it anew.
  for p in "${PORTS[@]}"; do
    cli "$p" flushall >/dev/null || true
    cli "$p" cluster reset hard >/dev/null || true
  done
  nodes=()
  for p in "${PORTS[@]}"; do nodes+=("127.0.0.1:$p"); done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >/dev/null
fi

for _ in $(seq 1 60); do
  if all_ok; then
    echo "Redis Cluster: up (127.0.0.1:${PORTS[*]})"
    exit 0
  fi
  sleep 0.5
done
echo "Redis Cluster: NOT reachable at 127.0.0.1:${PORTS[*]}"
exit 1
