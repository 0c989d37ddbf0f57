#!/usr/bin/env bash
# Starts PostgreSQL, Redis and a 3-master Redis Cluster on this machine when they are not answering, and waits until they do.
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if command -v pg_isready >/dev/null && ! pg_up; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if command -v redis-server >/dev/null && ! redis_up; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi

for _ in $(seq 1 60); do
  if pg_up && redis_up; then break; fi
  sleep 0.5
done
pg_up && echo "PostgreSQL: up" || echo "PostgreSQL: NOT reachable"
redis_up && echo "Redis: up" || echo "Redis: NOT reachable"

# A Redis Cluster of 3 masters on loopback for the cluster tests (REDIS_CLUSTER_NODES): started if not already up.
bash "$(dirname "$0")/redis-cluster.sh" || true
