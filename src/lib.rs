//! k8s-spec: a re-implementation of `jupyter-k8s-spec` (gateway-provisioners 0.5.0), the
//! command that writes Jupyter kernel specifications for kernels running as Kubernetes pods.

pub mod app;
pub mod assets;
pub mod clap_model;
pub mod cli;
pub mod config_file;
pub mod extensions;
pub mod help;
pub mod initialize;
pub mod install;
pub mod jupyter_app;
pub mod k8s_schema;
pub mod kernel_json;
pub mod kernel_template;
pub mod log;
pub mod options;
pub mod output;
pub mod paths;
pub mod pod_options;
pub mod preview;
pub mod py;
pub mod pyrepr;
pub mod pyyaml;
pub mod rbac;
pub mod rbac_cli;
pub mod report;
pub mod settings;
pub mod similar;
pub mod sys;
pub mod traitlets;
pub mod variant;
