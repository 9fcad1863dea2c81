# docker/team-kernels.Dockerfile: a team's image built on the shared host image, with its own
# kernel image in place of the default Python kernelspec's.
ARG HOST_IMAGE=jupyter-host
FROM ${HOST_IMAGE}
RUN jupyter-k8s-spec install --sys-prefix --replace --image-name=example.org/team/kernel-py:2.1
