//! k8s-spec: a re-implementation of `jupyter-k8s-spec` (gateway-provisioners 0.5.0).
