//! The decision table: from language, `--spark` and `--crd` to the kind of kernelspec, its
//! default names and images, its provisioner and launcher (installer.md §5.2).

use crate::cli::options::{DEFAULT_DISPLAY_NAME, DEFAULT_KERNEL_CLASS, DEFAULT_KERNEL_NAME};
use crate::settings::resolve::Settings;

/// The image tag we default to: the reference release whose launch contract we implement.
pub const IMAGE_TAG: &str = "0.5.0";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Python,
    R,
    Scala,
}

impl Language {
    /// Parses a language name case-insensitively.
    pub fn parse(s: &str) -> Option<Language> {
        match s.to_lowercase().as_str() {
            "python" => Some(Language::Python),
            "r" => Some(Language::R),
            "scala" => Some(Language::Scala),
            _ => None,
        }
    }

    /// The `language` value written into kernel.json.
    pub fn spec_name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::R => "R",
            Language::Scala => "scala",
        }
    }

    /// The lower-case key used in kernel names and resource directories.
    pub fn key(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::R => "r",
            Language::Scala => "scala",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::R => "R",
            Language::Scala => "Scala",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// A kernel pod from `kernel-pod.yaml.j2`, started by `launch_kubernetes.py`.
    Container(Language),
    /// `spark-submit` in cluster mode from `bin/run.sh`.
    Spark(Language),
    /// A SparkApplication for the Spark Operator (Python only).
    SparkOperator,
}

impl Variant {
    pub fn language(self) -> Language {
        match self {
            Variant::Container(l) | Variant::Spark(l) => l,
            Variant::SparkOperator => Language::Python,
        }
    }

    pub fn provisioner_name(self) -> &'static str {
        match self {
            Variant::SparkOperator => "spark-operator-provisioner",
            _ => "kubernetes-provisioner",
        }
    }

    pub fn launcher_name(self) -> &'static str {
        match self {
            Variant::SparkOperator => "launch_custom_resource.py",
            _ => "launch_kubernetes.py",
        }
    }

    fn default_kernel_name(self) -> String {
        match self {
            Variant::Container(l) => format!("k8s_{}", l.key()),
            Variant::Spark(l) => format!("k8s_{}_spark", l.key()),
            Variant::SparkOperator => "k8s_python_spark_operator".into(),
        }
    }

    fn default_display_name(self) -> String {
        match self {
            Variant::Container(l) => format!("Kubernetes {}", l.title()),
            Variant::Spark(l) => format!("Kubernetes {} (with Spark)", l.title()),
            Variant::SparkOperator => "Kubernetes Spark Operator".into(),
        }
    }

    fn default_image(self) -> String {
        let repo = match self {
            Variant::Container(Language::Python) => "elyra/kernel-py",
            Variant::Container(Language::R) => "elyra/kernel-r",
            Variant::Container(Language::Scala) | Variant::Spark(Language::Scala) => "elyra/kernel-scala",
            Variant::Spark(Language::Python) | Variant::SparkOperator => "elyra/kernel-spark-py",
            Variant::Spark(Language::R) => "elyra/kernel-spark-r",
        };
        format!("{repo}:{IMAGE_TAG}")
    }

    pub fn is_spark(self) -> bool {
        !matches!(self, Variant::Container(_))
    }

    /// A stable name for reports: `kubernetes-python`, `spark-r`, `spark-operator-python`.
    pub fn name(self) -> String {
        let kind = match self {
            Variant::Container(_) => "kubernetes",
            Variant::Spark(_) => "spark",
            Variant::SparkOperator => "spark-operator",
        };
        format!("{kind}-{}", self.language().key())
    }
}

/// Everything about the kernelspec that follows from the settings and the variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub variant: Variant,
    /// Directory name: spaces replaced by `_`, not yet lower-cased.
    pub kernel_name: String,
    pub display_name: String,
    pub image_name: String,
    /// Written for the Spark variants only.
    pub executor_image_name: Option<String>,
    pub spark_init_mode: String,
    pub extra_spark_opts: String,
    pub ipykernel_subclass_name: String,
    /// Warnings in the order the reference prints them.
    pub warnings: Vec<String>,
}

/// The one configuration the reference refuses outright (it raises with a traceback).
pub const CRD_WITHOUT_SPARK: &str =
    "--crd requires a specifying option (e.g., --spark) to determine which CustomResourceProvisioner to configure.";

/// Settings no kernelspec can be made of.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VariantError {
    #[error("Invalid language value {0}")]
    Language(String),
    #[error("{CRD_WITHOUT_SPARK}")]
    CrdWithoutSpark,
}

pub fn plan(s: &Settings) -> Result<Plan, VariantError> {
    let mut warnings = Vec::new();
    let entered = Language::parse(&s.language).ok_or_else(|| VariantError::Language(s.language.clone()))?;

    if s.ipykernel_subclass_name != DEFAULT_KERNEL_CLASS {
        if entered != Language::Python {
            warnings.push("--ipykernel-subclass-name will be ignored since --language is not Python.".to_string());
        } else {
            // We cannot import Python classes; the reference says the same when ipykernel is
            // not importable, which is the usual case on a gateway host.
            warnings.push(format!(
                "Cannot determine if parameter ipykernel-subclass-name '{}' is a subclass of '{DEFAULT_KERNEL_CLASS}'.  Continuing...",
                s.ipykernel_subclass_name
            ));
        }
    }

    let variant = match (s.crd, s.spark) {
        (true, false) => return Err(VariantError::CrdWithoutSpark),
        (true, true) => {
            if entered != Language::Python {
                warnings.push(format!(
                    "CRD support only works with Python, changing language from {} to Python.",
                    s.language
                ));
            }
            Variant::SparkOperator
        }
        (false, true) => Variant::Spark(entered),
        (false, false) => Variant::Container(entered),
    };

    // Only names still at the Python default are replaced, whether typed or defaulted.
    let kernel_name =
        if s.kernel_name == DEFAULT_KERNEL_NAME { variant.default_kernel_name() } else { s.kernel_name.clone() };
    let display_name =
        if s.display_name == DEFAULT_DISPLAY_NAME { variant.default_display_name() } else { s.display_name.clone() };
    let image_name = s.image_name.clone().unwrap_or_else(|| variant.default_image());
    let executor_image_name =
        variant.is_spark().then(|| s.executor_image_name.clone().unwrap_or_else(|| image_name.clone()));

    let (spark_init_mode, extra_spark_opts) = match variant {
        Variant::Container(_) => {
            if !s.extra_spark_opts.is_empty() {
                warnings.push("--extra-spark-opts will be ignored since --spark has not been specified.".to_string());
            }
            ("none".to_string(), String::new())
        }
        _ => (s.spark_init_mode.clone(), s.extra_spark_opts.clone()),
    };

    Ok(Plan {
        variant,
        kernel_name: kernel_name.replace(' ', "_"),
        display_name,
        image_name,
        executor_image_name,
        spark_init_mode,
        extra_spark_opts,
        ipykernel_subclass_name: s.ipykernel_subclass_name.clone(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::argparse::{parse, Command};

    fn plan_for(args: &[&str]) -> Result<Plan, String> {
        let mut words = vec!["install".to_string()];
        words.extend(args.iter().map(|s| s.to_string()));
        let Ok(Command::Install(cli)) = parse(&words) else { panic!() };
        let s = crate::settings::resolve::from_command_line(&cli).unwrap();
        plan(&s).map_err(|e| e.to_string())
    }

    #[test]
    fn decision_table() {
        type Row<'a> = (&'a [&'a str], Variant, &'a str, &'a str, &'a str, Option<&'a str>);
        let rows: &[Row] = &[
            (
                &[],
                Variant::Container(Language::Python),
                "k8s_python",
                "Kubernetes Python",
                "elyra/kernel-py:0.5.0",
                None,
            ),
            (&["--language=R"], Variant::Container(Language::R), "k8s_r", "Kubernetes R", "elyra/kernel-r:0.5.0", None),
            (
                &["--language=scala"],
                Variant::Container(Language::Scala),
                "k8s_scala",
                "Kubernetes Scala",
                "elyra/kernel-scala:0.5.0",
                None,
            ),
            (
                &["--spark"],
                Variant::Spark(Language::Python),
                "k8s_python_spark",
                "Kubernetes Python (with Spark)",
                "elyra/kernel-spark-py:0.5.0",
                Some("elyra/kernel-spark-py:0.5.0"),
            ),
            (
                &["--spark", "--language=R"],
                Variant::Spark(Language::R),
                "k8s_r_spark",
                "Kubernetes R (with Spark)",
                "elyra/kernel-spark-r:0.5.0",
                Some("elyra/kernel-spark-r:0.5.0"),
            ),
            (
                &["--spark", "--language=Scala"],
                Variant::Spark(Language::Scala),
                "k8s_scala_spark",
                "Kubernetes Scala (with Spark)",
                "elyra/kernel-scala:0.5.0",
                Some("elyra/kernel-scala:0.5.0"),
            ),
            (
                &["--spark", "--crd"],
                Variant::SparkOperator,
                "k8s_python_spark_operator",
                "Kubernetes Spark Operator",
                "elyra/kernel-spark-py:0.5.0",
                Some("elyra/kernel-spark-py:0.5.0"),
            ),
            (
                &["--spark", "--crd", "--language=R"],
                Variant::SparkOperator,
                "k8s_python_spark_operator",
                "Kubernetes Spark Operator",
                "elyra/kernel-spark-py:0.5.0",
                Some("elyra/kernel-spark-py:0.5.0"),
            ),
        ];
        for (args, variant, kernel, display, image, exec) in rows {
            let p = plan_for(args).unwrap();
            assert_eq!(p.variant, *variant, "{args:?}");
            assert_eq!(p.kernel_name, *kernel, "{args:?}");
            assert_eq!(p.display_name, *display, "{args:?}");
            assert_eq!(p.image_name, *image, "{args:?}");
            assert_eq!(p.executor_image_name.as_deref(), *exec, "{args:?}");
        }
        assert_eq!(plan_for(&["--crd"]).unwrap_err(), CRD_WITHOUT_SPARK);
    }

    #[test]
    fn still_default_names_and_other_rules() {
        let p = plan_for(&["--kernel-name=k8s_python", "--spark"]).unwrap();
        assert_eq!(p.kernel_name, "k8s_python_spark");
        let p = plan_for(&["--display-name=Kubernetes Python", "--language=R"]).unwrap();
        assert_eq!(p.display_name, "Kubernetes R");
        let p = plan_for(&["--kernel-name=  My  Name ", "--spark", "--image-name=x"]).unwrap();
        assert_eq!(p.kernel_name, "__My__Name_");
        assert_eq!(p.executor_image_name.as_deref(), Some("x"));
        let p = plan_for(&["--extra-spark-opts=--conf a=b", "--spark-init-mode=eager"]).unwrap();
        assert_eq!((p.extra_spark_opts.as_str(), p.spark_init_mode.as_str()), ("", "none"));
        assert_eq!(p.warnings, vec!["--extra-spark-opts will be ignored since --spark has not been specified."]);
        let p = plan_for(&["--executor-image-name=e"]).unwrap();
        assert_eq!(p.executor_image_name, None);
        let p = plan_for(&["--language=r", "--crd", "--spark", "--ipykernel-subclass-name=a.B"]).unwrap();
        assert_eq!(
            p.warnings,
            vec![
                "--ipykernel-subclass-name will be ignored since --language is not Python.",
                "CRD support only works with Python, changing language from r to Python."
            ]
        );
    }
}
