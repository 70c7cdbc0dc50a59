//! Generates the C header from the ffi sources with the pinned cbindgen, into OUT_DIR.
//!
//! The committed copy is `include/leanix.h`; `scripts/check-header.sh` (run by CI) and the test
//! `header_is_current` fail when it differs, and `scripts/regen-header.sh` refreshes it.

use std::env;
use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("leanix.h");
    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let preamble = std::fs::read_to_string(crate_dir.join("header-preamble.h")).unwrap();
    config.header = Some(preamble.trim_end().to_owned());
    let major = env::var("CARGO_PKG_VERSION_MAJOR").unwrap();
    let minor = env::var("CARGO_PKG_VERSION_MINOR").unwrap();
    let patch = env::var("CARGO_PKG_VERSION_PATCH").unwrap();
    config.after_includes = Some(format!(
        r#"
/** Version of this header, as in Cargo.toml; compare with lx_version() at run time. */
#define LX_VERSION_MAJOR {major}
#define LX_VERSION_MINOR {minor}
#define LX_VERSION_PATCH {patch}
#define LX_VERSION_STRING "{major}.{minor}.{patch}"
/** (major << 16) | (minor << 8) | patch */
#define LX_VERSION_NUMBER (({major} << 16) | ({minor} << 8) | {patch})

#if defined(__GNUC__) || defined(__clang__)
#define LX_MUST_USE __attribute__((warn_unused_result))
#else
#define LX_MUST_USE
#endif
"#
    ));
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header")
        .write_to_file(&out);
    println!("cargo:rustc-env=LEANIX_GENERATED_HEADER={}", out.display());
    println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libleanix.so.{major}");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=header-preamble.h");
}
