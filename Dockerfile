# The tdkt image: one image for the app (API + web), the workers (`tdkt worker`: flows,
# with LibreOffice inside), the prestart (`tdkt db upgrade && tdkt deploy`) and the
# Prefect server (`prefect server start`, the same Prefect version as the clients).
#
# BASE: the public python:…-slim image by default; `make images` builds on tdkt-base:bookworm
# instead (debootstrap from a Debian mirror, no image registry: docs/production.md), where
# Python 3.11 comes from Debian's python3 package.
ARG BASE=python:3.11.13-slim-bookworm
FROM ${BASE}

# One layer: Debian's Python only where the base has none, LibreOffice and the tools.
RUN python=""; command -v python3 >/dev/null || python="python3 python3-venv" \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $python ca-certificates \
      libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-liberation2 fonts-dejavu-core python3-uno \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb

# uv from PyPI, in a venv of its own (Debian's Python refuses a system-wide pip install).
RUN python3 -m venv /opt/uv \
 && PIP_CERT=/etc/ssl/certs/ca-certificates.crt /opt/uv/bin/pip install --no-cache-dir uv \
 && ln -s /opt/uv/bin/uv /usr/local/bin/uv
# uv trusts the system's CAs (with a site's own, see deploy/images/build.sh).
ENV UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy UV_NATIVE_TLS=1
WORKDIR /app
# The dependencies' layer changes only with the lock: README.md (the project's readme,
# needed to install the project itself) comes after it.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY README.md ./
COPY api api
COPY core core
COPY domain domain
COPY documents documents
COPY doc_templates doc_templates
COPY flows flows
COPY issuing issuing
COPY storage storage
COPY tdkt tdkt
RUN uv sync --frozen --no-dev

ENV PATH="/app/.venv/bin:$PATH" \
    TDKT_VAR_DIR=/var/lib/tdkt \
    PYTHONUNBUFFERED=1
RUN useradd --system --home /var/lib/tdkt --create-home tdkt
USER tdkt
EXPOSE 8000
CMD ["tdkt", "serve", "--host", "0.0.0.0", "--port", "8000"]
