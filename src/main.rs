//! `jupyter-k8s-spec`: writes Jupyter kernel specifications for kernels run as Kubernetes pods.

fn main() {
    // Jupyter's tab completion runs subcommands with _ARGCOMPLETE set and expects the
    // argcomplete protocol; we do not speak it, and must not install anything instead.
    if std::env::var_os("_ARGCOMPLETE").is_some() {
        std::process::exit(0);
    }
    let args: Vec<String> = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    std::process::exit(k8s_spec::app::run(&args));
}
