# The tdkt image: one image for the app (API + web), the workers (`tdkt worker`: flows,
# with LibreOffice inside), the prestart (`tdkt db upgrade && tdkt deploy`) and the
# Prefect server (`prefect server start`, the same Prefect version as the clients).
FROM python:3.11.13-slim-bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-liberation2 fonts-dejavu-core python3-uno \
 && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
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
