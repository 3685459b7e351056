# The assistant in a container: the Telegram bot (default command), the admin CLI (kb-ingest)
# and a Chroma server (`chroma run`, from the same chromadb package the project pins and tests).
# Not built or run on the development machines (no Docker engine there); see README
# "Scaling past one machine" and docker-compose.yml.
FROM python:3.11-slim-bookworm

# Tesseract with its Vietnamese model (scanned PDFs), poppler: the same list CI installs.
COPY .ci/apt-packages.txt /tmp/apt-packages.txt
RUN apt-get update \
 && grep -v '^\s*#' /tmp/apt-packages.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/apt-packages.txt

# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build. Pass
# --build-arg TORCH_INDEX_URL=<PyTorch's CPU wheel index> to get the CPU-only build.
ARG TORCH_INDEX_URL=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN pip install torch==2.13.0 ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}

WORKDIR /opt/party-assistant
COPY requirements-pinned.txt pyproject.toml README.md ./
COPY knowledge ./knowledge
COPY bot ./bot
COPY ingest.py main.py ./
RUN pip install --no-deps -r requirements-pinned.txt && pip install .

# Convert the bundled model and export it to ONNX once, into the image: containers start in seconds.
ENV KB_MODELS_PATH=/opt/models KB_DATA_DIR=/data HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
RUN python -c "from knowledge.settings import KnowledgeSettings; from knowledge.embeddings.model import load_embeddings; load_embeddings(KnowledgeSettings()).embed_query('khởi động')"

# named volumes mounted on /data and /chroma start with this ownership
RUN useradd --create-home --uid 10001 partybot && mkdir -p /data /chroma && chown partybot /data /chroma
USER partybot
CMD ["party-bot"]
