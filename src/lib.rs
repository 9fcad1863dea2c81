//! k8s-spec: a re-implementation of `jupyter-k8s-spec` (gateway-provisioners 0.5.0), the
//! command that writes Jupyter kernel specifications for kernels running as Kubernetes pods.
//!
//! The layers, in the order one `install` flows through them (ARCHITECTURE.md): each may use
//! those before it and the two support layers, `launch` and `py`, never one after it.

pub mod cli;
pub mod commands;
pub mod install;
pub mod launch;
pub mod py;
pub mod render;
pub mod settings;
pub mod variant;
