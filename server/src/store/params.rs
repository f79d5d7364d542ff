//! Values bound to a statement built at run time, numbered as they are added, so optional
//! filters can be appended without counting placeholders by hand. Both backends read `$N`.

/// One bound value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Param {
    /// A text column value.
    Text(String),
    /// An integer column value.
    Int(i64),
    /// A text column value that may be NULL.
    MaybeText(Option<String>),
    /// An integer column value that may be NULL.
    MaybeInt(Option<i64>),
    /// A binary column value.
    Bytes(Vec<u8>),
}

/// Binds each of `$params` (an iterator of [`Param`]) in order to `$query` — a `Query`,
/// `QueryAs` or `QueryScalar` of either backend — and returns it.
macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                $crate::store::params::Param::Text(text) => query.bind(text),
                $crate::store::params::Param::Int(int) => query.bind(int),
                $crate::store::params::Param::MaybeText(text) => query.bind(text),
                $crate::store::params::Param::MaybeInt(int) => query.bind(int),
                $crate::store::params::Param::Bytes(bytes) => query.bind(bytes),
            };
        }
        query
    }};
}

pub(crate) use bind_params;

/// The values of one statement, in placeholder order.
#[derive(Debug, Default)]
pub(crate) struct Params {
    values: Vec<Param>,
}

impl Params {
    /// Adds a value; returns its placeholder (`$1`, `$2`, …).
    pub fn push(&mut self, value: Param) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    /// Adds a text value.
    pub fn text(&mut self, value: impl Into<String>) -> String {
        self.push(Param::Text(value.into()))
    }

    /// Adds an integer value.
    pub fn int(&mut self, value: i64) -> String {
        self.push(Param::Int(value))
    }

    /// The values, to bind in order.
    pub fn into_values(self) -> Vec<Param> {
        self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_values() {
        let mut params = Params::default();
        assert_eq!(params.text("a"), "$1");
        assert_eq!(params.int(7), "$2");
        assert_eq!(
            params.into_values(),
            vec![Param::Text("a".into()), Param::Int(7)]
        );
    }
}
