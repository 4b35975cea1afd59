#!/bin/sh
# A self-signed certificate (its own CA) for the names in S3_TLS_NAMES, written once into
# /certs (a volume the app's containers mount read-only as their CA bundle); then moto,
# its state kept across restarts.
set -eu
names=${S3_TLS_NAMES:-minio,localhost}
mkdir -p /certs
if [ ! -s /certs/cert.pem ]; then
  san=$(printf '%s' "$names" | sed 's/\([^,]*\)/DNS:\1/g')
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=tdkt test S3 (moto)" -keyout /certs/key.pem -out /certs/cert.pem \
    -addext "subjectAltName=$san" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,digitalSignature,keyCertSign" \
    -addext "extendedKeyUsage=serverAuth" 2>/dev/null
  chmod 644 /certs/cert.pem
  echo "s3: certificate for $san in /certs/cert.pem"
fi
# moto_persist.py: moto's server, its state saved to S3_STATE_FILE (default
# /data/moto-s3.pickle, the service's volume) on stop and loaded at start.
exec python3 /opt/moto_persist.py 0.0.0.0 "${S3_PORT:-9000}" /certs/cert.pem /certs/key.pem
