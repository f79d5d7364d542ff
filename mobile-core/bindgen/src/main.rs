//! `uniffi-bindgen`: generates the Kotlin, Swift and Python bindings of the phone library from
//! the built cdylib, with exactly the uniffi version the library was built with (a mismatch
//! makes bindings that fail their checksum checks at load time).
//!
//! ```text
//! cargo run -p uniffi-bindgen -- generate --library target/debug/libwangge_mobile_ffi.so \
//!     --language kotlin --language swift --language python --out-dir target/bindings
//! ```

fn main() {
    uniffi::uniffi_bindgen_main()
}
