//! Codes of the organisation tree, departments and catalogue items.
//!
//! Administrative codes nest: a district is 6 digits (the national 区划代码), a street adds 3,
//! a community 3 more (the 12-digit 统计用区划代码), and a grid adds a 3-digit sequence. So a grid
//! code alone tells its community, street and district — scope checks need no lookup.

use std::fmt;
use std::str::FromStr;

use crate::Error;

macro_rules! digit_code {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $len:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Number of digits in this kind of code.
            pub const LEN: usize = $len;

            /// The code as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self, Error> {
                if s.len() != $len || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::invalid($kind, s, concat!("must be ", $len, " digits")));
                }
                if s.ends_with("000") && $len > 6 {
                    return Err(Error::invalid($kind, s, "the last 3 digits must not be 000"));
                }
                Ok(Self(s.to_owned()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        super::text_value!($name, $kind);
    };
}

digit_code!(
    /// A district (区), 6 digits.
    DistrictCode, "district code", 6
);
digit_code!(
    /// A street (街道), 9 digits: district + 3.
    StreetCode, "street code", 9
);
digit_code!(
    /// A community (社区), 12 digits: street + 3.
    CommunityCode, "community code", 12
);
digit_code!(
    /// A grid (网格), 15 digits: community + 3.
    GridCode, "grid code", 15
);

macro_rules! parent {
    ($child:ident -> $parent:ident, $fn:ident) => {
        impl $child {
            /// The enclosing unit, read from the code's prefix.
            pub fn $fn(&self) -> $parent {
                $parent(self.0[..$parent::LEN].to_owned())
            }
        }
    };
}

parent!(StreetCode -> DistrictCode, district);
parent!(CommunityCode -> StreetCode, street);
parent!(GridCode -> CommunityCode, community);

impl CommunityCode {
    /// The enclosing district.
    pub fn district(&self) -> DistrictCode {
        self.street().district()
    }
}

impl GridCode {
    /// The enclosing street.
    pub fn street(&self) -> StreetCode {
        self.community().street()
    }

    /// The enclosing district.
    pub fn district(&self) -> DistrictCode {
        self.community().district()
    }
}

macro_rules! slug_code {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $valid:expr, $reason:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The code as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self, Error> {
                let valid: fn(&str) -> bool = $valid;
                if !valid(s) {
                    return Err(Error::invalid($kind, s, $reason));
                }
                Ok(Self(s.to_owned()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        super::text_value!($name, $kind);
    };
}

slug_code!(
    /// A functional department (职能部门), e.g. `chengguan` (城管) or `huanbao` (生态环境).
    DepartmentCode,
    "department code",
    |s| {
        (2..=32).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    },
    "must be 2–32 characters: lowercase ascii letters, digits or _, starting with a letter"
);

slug_code!(
    /// An item of the comprehensive item catalogue (综合性事项清单), e.g. `SR-01`.
    CategoryCode,
    "category code",
    |s| {
        (2..=16).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_uppercase())
            && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
    },
    "must be 2–16 characters: uppercase ascii letters, digits or -, starting with a letter"
);
