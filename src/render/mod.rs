//! The files of the kernelspec as they will be written: kernel.json and the pod template.

pub mod kernel_json;
pub mod pod_template;
pub mod validate;
