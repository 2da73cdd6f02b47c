//! `GET /avatars/u/{id}`: an avatar drawn by the stand-in (initials on a coloured circle), so a
//! frontend shows pictures with no internet access.

use std::sync::Arc;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};

use crate::consent_page::escape;
use crate::faults::arrive;
use crate::people::{Person, presets};
use crate::state::Shared;

/// The avatar of the person with the id in the path; `?` for an id the stand-in never met.
pub(crate) async fn handle(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    // Recorded like any path outside the named endpoints; faults never apply to it.
    if let Some(fault) = arrive(&shared, None, &req, &body).await {
        return fault;
    }
    let Some(id) = req
        .match_info()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return crate::authorize::not_found_page();
    };
    let person = shared.lock().known_person(id).or_else(|| {
        presets()
            .into_iter()
            .map(|(_, person)| person)
            .find(|p| p.id == id)
    });
    let (initials, label) = match &person {
        Some(person) => (initials(person), person.login.clone()),
        None => ("?".to_owned(), format!("user {id}")),
    };
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("cache-control", "public, max-age=300"))
        .insert_header(("x-content-type-options", "nosniff"))
        // Opened on its own, an SVG is a document: this one needs nothing but its own styles.
        .insert_header((
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(svg(id, &initials, &label, 128))
}

/// An avatar as SVG markup, `size` pixels square: initials in white on a circle whose colour
/// depends only on the id, so a person keeps their colour.
pub(crate) fn svg(id: i64, initials: &str, label: &str, size: u32) -> String {
    let colour = colour(id);
    let initials = escape(initials);
    let label = escape(label);
    let font_size = if initials.chars().count() > 1 { 50 } else { 60 };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 128 128" role="img" aria-label="{label}"><circle cx="64" cy="64" r="64" fill="{colour}"/><text x="64" y="64" dy="0.35em" text-anchor="middle" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="{font_size}" font-weight="600" fill="#ffffff">{initials}</text></svg>"##
    )
}

/// Up to two initials: the first letter of the first two words of the name (or of the login,
/// split at hyphens), uppercased.
pub(crate) fn initials(person: &Person) -> String {
    let from = |text: &str| -> String {
        text.split(|c: char| c.is_whitespace() || c == '-')
            .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
            .take(2)
            .flat_map(char::to_uppercase)
            .collect()
    };
    let by_name = person.name.as_deref().map(from).unwrap_or_default();
    if by_name.is_empty() {
        from(&person.login)
    } else {
        by_name
    }
}

/// A mid-dark colour (white text stays readable) with a hue spread over the circle by id.
fn colour(id: i64) -> String {
    // SplitMix64's finaliser scatters neighbouring ids (1001, 1002, …) to distant hues.
    let mut mixed = id.cast_unsigned().wrapping_add(0x9e37_79b9_7f4a_7c15);
    mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    mixed ^= mixed >> 31;
    let hue = f64::from(u32::try_from(mixed % 360).unwrap_or_default());
    let (r, g, b) = hsl_to_rgb(hue, 0.55, 0.42);
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn hsl_to_rgb(hue: f64, saturation: f64, lightness: f64) -> (u8, u8, u8) {
    let chroma = (1.0 - (2.0 * lightness - 1.0).abs()) * saturation;
    let sector = hue / 60.0;
    let x = chroma * (1.0 - (sector % 2.0 - 1.0).abs());
    let (r, g, b) = match sector as u32 {
        0 => (chroma, x, 0.0),
        1 => (x, chroma, 0.0),
        2 => (0.0, chroma, x),
        3 => (0.0, x, chroma),
        4 => (x, 0.0, chroma),
        _ => (chroma, 0.0, x),
    };
    let m = lightness - chroma / 2.0;
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    (byte(r), byte(g), byte(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_come_from_the_name_or_the_login() {
        assert_eq!(initials(&Person::octocat()), "TO");
        assert_eq!(initials(&Person::unicode_name()), "ZÑ");
        assert_eq!(initials(&Person::unverified()), "UP");
    }

    #[test]
    fn colours_are_stable_hex() {
        assert_eq!(colour(583_231), colour(583_231));
        assert_ne!(colour(1_001), colour(1_002));
        let c = colour(5_000_000_000);
        assert!(c.len() == 7 && c.starts_with('#'));
        assert_eq!(hsl_to_rgb(0.0, 1.0, 0.5), (255, 0, 0));
        assert_eq!(hsl_to_rgb(240.0, 1.0, 0.5), (0, 0, 255));
    }

    #[test]
    fn markup_is_escaped() {
        let markup = svg(1, "<", "a\"b", 40);
        assert!(markup.contains("&lt;") && markup.contains("a&quot;b"));
        assert!(markup.contains(r#"width="40""#));
    }
}
