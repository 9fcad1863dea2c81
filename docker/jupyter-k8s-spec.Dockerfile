# docker/jupyter-k8s-spec.Dockerfile: the distribution image, nothing but the static binary, for
# other images to copy it from. Context: the repository, after scripts/build-static.sh.
FROM scratch
COPY target/static/x86_64-unknown-linux-gnu/release/jupyter-k8s-spec /jupyter-k8s-spec
ENTRYPOINT ["/jupyter-k8s-spec"]
