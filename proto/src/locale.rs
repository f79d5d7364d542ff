//! Languages for text shown to users: Simplified Chinese first, English available.
//!
//! Every enum a user sees (roles, statuses, tiers, actions, refusal reasons) has a label in
//! both; the zh-CN text is the reference and the default.

use serde::{Deserialize, Serialize};

/// A language users can read the interface in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Locale {
    /// 简体中文 — the default.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Locale {
    /// Picks `zh` or `en` by this locale.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Locale::ZhCn => zh,
            Locale::En => en,
        }
    }
}

/// A value with a short user-facing name in each locale.
pub trait Label {
    /// The name in the given locale.
    fn label(&self, locale: Locale) -> &'static str;
}

/// Declares a plain enum stored as snake_case text, with zh-CN and English labels.
///
/// `FromStr`/`Display`/serde/autosurgeon all use the snake_case code, so documents and wire
/// messages never depend on Rust identifiers.
macro_rules! labelled_enum {
    (
        $(#[$doc:meta])*
        $name:ident, $kind:literal {
            $( $(#[$vdoc:meta])* $variant:ident = $code:literal, $zh:literal, $en:literal; )+
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable snake_case code of this variant.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $( $name::$variant => $code, )+
                }
            }
        }

        impl $crate::locale::Label for $name {
            fn label(&self, locale: $crate::locale::Locale) -> &'static str {
                match self {
                    $( $name::$variant => locale.pick($zh, $en), )+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::Error;

            fn from_str(s: &str) -> Result<Self, $crate::Error> {
                match s {
                    $( $code => Ok($name::$variant), )+
                    _ => Err($crate::Error::invalid($kind, s, "unknown code")),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        $crate::values::text_value!($name, $kind);
    };
}
pub(crate) use labelled_enum;
