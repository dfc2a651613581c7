#!/usr/bin/env bash
# Makes sure the servers the test suites talk to are up on loopback: Postgres 5432, Redis 6379,
# RabbitMQ 5672, Mosquitto 1883, NATS JetStream 4222. The machine image installs and starts them
# before a session; this restarts any that stopped, with the same commands the image uses.
set -euo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # port name
  for _ in $(seq 1 60); do up "$1" && return 0; sleep 1; done
  echo "ensure-servers: $2 did not come up on port $1" >&2
  return 1
}

start_if_down() { # port name command...
  local port=$1 name=$2
  shift 2
  if up "$port"; then echo "ensure-servers: $name is up on $port"; return 0; fi
  if ! command -v "$1" >/dev/null; then
    echo "ensure-servers: $name is down and $1 is not installed" >&2
    return 1
  fi
  echo "ensure-servers: starting $name"
  "$@" >/dev/null 2>&1 || true
  wait_for "$port" "$name"
}

start_if_down 5432 PostgreSQL bash -c 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'
start_if_down 6379 Redis redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
start_if_down 5672 RabbitMQ rabbitmq-server -detached
start_if_down 1883 Mosquitto mosquitto -d -c /etc/mosquitto/mosquitto.conf
start_if_down 4222 NATS start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
