# syntax=docker/dockerfile:1
ARG CUDA=12.1.1
FROM nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu22.04 AS base
ENV PIP_NO_CACHE_DIR=1
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt \
    && pip install torch==2.1.0+cu121 --index-url https://download.pytorch.org/whl/cu121
RUN conda install -y -c conda-forge numpy=1.26 "scipy>=1.11" && conda clean -afy
RUN python -m pip install "fastapi[all]>=0.100,<1" git+https://github.com/org/repo@v1.2.3
FROM python:3.11-slim@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN pip install uvicorn==0.23.2
