#!/usr/bin/env bash
# Sourced by scripts/test.sh: the broker tests start RabbitMQ nodes of their own from
# Debian's rabbitmq-server (there is no systemd to run it as a service). Installs the
# package when missing and we may; the tests stop every node they start.
if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "broker: installing rabbitmq-server with apt-get for the broker tests" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >&2 || echo "broker: rabbitmq-server could not be installed; the broker tests will say so" >&2
fi
