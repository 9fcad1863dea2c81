//! TEMPORARY stub; replaced by the real help texts.
pub struct HelpContext {
    pub sys_prefix: String,
    pub spark_home: Option<String>,
}
pub fn dispatcher_help() -> String {
    String::new()
}
pub fn dispatcher_help_all() -> String {
    String::new()
}
pub fn no_subcommand() -> String {
    String::new()
}
pub fn install_help(_ctx: &HelpContext) -> String {
    String::new()
}
pub fn install_help_all(_ctx: &HelpContext) -> String {
    String::new()
}
pub fn usage(_columns: Option<usize>) -> String {
    "usage: jupyter-k8s-spec\n".into()
}
