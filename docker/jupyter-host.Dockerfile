# docker/jupyter-host.Dockerfile: a Jupyter host with Python, a Jupyter server, the provisioners
# that launch the kernels, and kernelspecs written by jupyter-k8s-spec.
ARG PYTHON_IMAGE=python:3.12-slim
ARG K8S_SPEC_IMAGE=jupyter-k8s-spec
FROM ${K8S_SPEC_IMAGE} AS k8s-spec

FROM ${PYTHON_IMAGE}
RUN pip install --no-cache-dir jupyter_server gateway_provisioners==0.5.0
# After gateway-provisioners: replaces its Python script of the same name in /usr/local/bin.
COPY --from=k8s-spec /jupyter-k8s-spec /usr/local/bin/
RUN jupyter-k8s-spec install --sys-prefix \
 && jupyter-k8s-spec install --sys-prefix --spark --crd
