#!/usr/bin/env bash
# Build every image docker-compose.yml needs from a Debian mirror and PyPI alone (no image
# registry): docs/production.md, «Air-gapped install (Debian mirror only)».
#
#   tdkt-base:bookworm   debootstrap --variant=minbase bookworm, imported (built once)
#   tdkt:0.1.0           the project's Dockerfile on that base (BASE build argument)
#   tdkt-postgres:15     Debian's postgresql-15 on that base (deploy/images/postgres)
#   tdkt-s3-moto:5       moto's S3 server, the test's stand-in for MinIO (deploy/images/s3-moto)
#
# Settings (environment): DEBIAN_MIRROR (default http://deb.debian.org/debian),
# TDKT_IMAGE (default tdkt:0.1.0), IMAGES (default: all of "tdkt postgres s3-moto"),
# EXTRA_CA_DIR (default /usr/local/share/ca-certificates: the host's own CAs, *.crt, go into
# the base image, so that a site's TLS proxy or internal PyPI mirror is trusted inside too).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
EXTRA_CA_DIR=${EXTRA_CA_DIR:-/usr/local/share/ca-certificates}
BASE=${TDKT_BASE_IMAGE:-tdkt-base:bookworm}
TDKT_IMAGE=${TDKT_IMAGE:-tdkt:0.1.0}
IMAGES=${IMAGES:-tdkt postgres s3-moto}
# dockerd of Debian bookworm (20.10) has no buildx: the classic builder.
export DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0}

log() { printf '[images %s] %s\n' "$(date +%T)" "$*" >&2; }

base_image() {
  if docker image inspect "$BASE" >/dev/null 2>&1; then
    log "$BASE exists: kept (docker rmi $BASE to make it again)"
    return
  fi
  command -v debootstrap >/dev/null || {
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
  }
  local dir
  dir=$(mktemp -d /tmp/tdkt-rootfs.XXXXXX)
  trap 'rm -rf "$dir"' RETURN
  log "debootstrap --variant=minbase bookworm from $MIRROR"
  debootstrap --variant=minbase bookworm "$dir" "$MIRROR" >"$dir.log" 2>&1 || {
    tail -20 "$dir.log" >&2
    return 1
  }
  rm -f "$dir.log"
  # The image's apt uses the same mirror; no package lists or caches inside.
  echo "deb $MIRROR bookworm main" >"$dir/etc/apt/sources.list"
  echo "deb $MIRROR bookworm-updates main" >>"$dir/etc/apt/sources.list"
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/archives/*.deb
  # No manuals, documentation or message translations in the images (licences kept),
  # neither now nor in what the images install later.
  cat >"$dir/etc/dpkg/dpkg.cfg.d/tdkt-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
  find "$dir/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
  rm -rf "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/*
  # Picked up by update-ca-certificates when an image installs ca-certificates.
  if compgen -G "$EXTRA_CA_DIR/*.crt" >/dev/null; then
    log "local CAs of $EXTRA_CA_DIR: $(cd "$EXTRA_CA_DIR" && echo *.crt)"
    mkdir -p "$dir/usr/local/share/ca-certificates"
    cp "$EXTRA_CA_DIR"/*.crt "$dir/usr/local/share/ca-certificates/"
  fi
  log "docker import -> $BASE"
  tar -C "$dir" -c . | docker import \
    -c 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["bash"]' - "$BASE" >/dev/null
}

base_image
for image in $IMAGES; do
  case $image in
    tdkt)
      log "build $TDKT_IMAGE (BASE=$BASE)"
      docker build -q --build-arg BASE="$BASE" -t "$TDKT_IMAGE" "$ROOT" ;;
    postgres)
      log "build tdkt-postgres:15"
      docker build -q --build-arg BASE="$BASE" -t tdkt-postgres:15 "$ROOT/deploy/images/postgres" ;;
    s3-moto)
      log "build tdkt-s3-moto:5"
      docker build -q --build-arg BASE="$BASE" -t tdkt-s3-moto:5 "$ROOT/deploy/images/s3-moto" ;;
    *) log "unknown image $image"; exit 2 ;;
  esac
done
docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep -E '^tdkt' >&2 || true
