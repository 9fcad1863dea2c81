//! Which kind of kernelspec the settings ask for, and the files each kind carries.

pub mod assets;
pub mod decision;
