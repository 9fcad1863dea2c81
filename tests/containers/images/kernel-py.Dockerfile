# The kernel image of the container tests, laid out as elyra/kernel-py lays out its own: Python
# with ipykernel, gateway-provisioners' kernel-side files put in place by its
# `jupyter image-bootstrap install` (/usr/local/bin/bootstrap-kernel.sh, the default command, made
# executable as elyra's images do, since the installer copies it without its mode; and
# /usr/local/bin/kernel-launchers/python/scripts/{launch_ipykernel,server_listener}.py),
# KERNEL_LANGUAGE=python, and the user jovyan (1000, group users 100) in /home/jovyan.
# Context: a directory with constraints.txt (the versions the end-to-end suite pins).
ARG PYTHON_IMAGE
FROM ${PYTHON_IMAGE}
COPY constraints.txt /tmp/constraints.txt
RUN pip install --no-cache-dir -c /tmp/constraints.txt gateway_provisioners ipykernel \
 && jupyter image-bootstrap install --languages=Python \
 && chmod 0755 /usr/local/bin/bootstrap-kernel.sh \
 && useradd --uid 1000 --gid 100 --create-home --shell /bin/bash jovyan \
 && rm /tmp/constraints.txt
ENV KERNEL_LANGUAGE=python
USER jovyan
WORKDIR /home/jovyan
CMD /usr/local/bin/bootstrap-kernel.sh
