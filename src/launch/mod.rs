//! The launch engine: what a launcher does with a kernelspec, recreated for `preview`,
//! `install --validate` and the check of `install --kernel-pod-template`.

pub mod schema;
pub mod simulate;
pub mod template;
pub mod yaml;
