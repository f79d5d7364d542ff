//! The language of error messages, from `Accept-Language`: the phone sends the user's
//! setting, and a request without one gets zh-CN.

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use wangge_proto::Locale;

/// The preferred supported locale of `Accept-Language` (`zh…` → zh-CN, `en…` → English, by
/// the listed quality, ties in order); zh-CN when absent or when nothing listed is supported.
pub fn locale(headers: &HeaderMap) -> Locale {
    let Some(value) = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
        return Locale::default();
    };
    let mut best: Option<(u16, Locale)> = None;
    for entry in value.split(',') {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let Some(locale) = supported(&tag) else {
            continue;
        };
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(1000, quality);
        if quality > 0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, locale));
        }
    }
    best.map_or_else(Locale::default, |(_, locale)| locale)
}

fn supported(tag: &str) -> Option<Locale> {
    let primary = tag.split('-').next().unwrap_or_default();
    match primary {
        "zh" => Some(Locale::ZhCn),
        "en" => Some(Locale::En),
        _ => None,
    }
}

/// A `q` value in thousandths (`0.8` → 800); malformed values count as 0 (ignored).
fn quality(q: &str) -> u16 {
    let q = q.trim();
    let (int, frac) = q.split_once('.').unwrap_or((q, ""));
    let frac = format!("{frac:0<3}");
    match (int, frac.get(..3).and_then(|f| f.parse::<u16>().ok())) {
        ("1", Some(0)) => 1000,
        ("0", Some(f)) => f,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn of(value: &str) -> Locale {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(value).unwrap());
        locale(&headers)
    }

    #[test]
    fn picks_the_preferred_supported_language() {
        assert_eq!(locale(&HeaderMap::new()), Locale::ZhCn);
        assert_eq!(of("en"), Locale::En);
        assert_eq!(of("en-US,en;q=0.9"), Locale::En);
        assert_eq!(of("zh-CN,zh;q=0.9,en;q=0.8"), Locale::ZhCn);
        assert_eq!(of("fr-FR, en;q=0.5"), Locale::En);
        assert_eq!(of("zh;q=0.4, en;q=0.6"), Locale::En);
        assert_eq!(of("en;q=0"), Locale::ZhCn);
        assert_eq!(of("de"), Locale::ZhCn);
        assert_eq!(of("ZH-tw"), Locale::ZhCn);
    }
}
