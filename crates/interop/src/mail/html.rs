//! HTML bodies made safe to show: `ammonia` with the settings mail needs.

use std::borrow::Cow;
use std::sync::OnceLock;

/// Style properties kept in `style` attributes: layout and colour only,
/// none that can load anything (no `background`, `background-image`,
/// `list-style-image`, `border-image`, `content`).
const STYLE_PROPERTIES: &[&str] = &[
    "color",
    "background-color",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "line-height",
    "text-align",
    "text-decoration",
    "vertical-align",
    "margin",
    "margin-top",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "padding",
    "padding-top",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "width",
    "max-width",
    "height",
    "border",
    "border-collapse",
    "border-color",
    "border-style",
    "border-width",
];

fn builder() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_url_schemes(["cid", "data"])
            .add_generic_attributes(["style", "align", "valign", "bgcolor", "width", "height"])
            .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect())
            .link_rel(Some("noopener noreferrer"))
            .attribute_filter(|element, attribute, value| {
                let v = value.trim_start().to_ascii_lowercase();
                match (element, attribute) {
                    // Images load only what the message carries.
                    ("img", "src") => (v.starts_with("cid:") || v.starts_with("data:image/"))
                        .then_some(Cow::Borrowed(value)),
                    // `data:` and `cid:` are for images, never for links.
                    (_, "href") if v.starts_with("data:") || v.starts_with("cid:") => None,
                    _ => Some(Cow::Borrowed(value)),
                }
            });
        b
    })
}

/// The HTML with scripts, style sheets, event handlers, forms, remote images
/// and dangerous links removed; links get `rel="noopener noreferrer"`.
pub fn sanitise(html: &str) -> String {
    builder().clean(html).to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn strips_what_loads_or_runs() {
        let out = sanitise(
            r#"<html><head><style>body{background:url(http://t.example/x)}</style>
<script>alert(1)</script></head><body onload="x()">
<p style="color:red;background-image:url(http://t.example/p.gif)">Hi</p>
<img src="http://tracker.example/open.gif" alt="pixel">
<img src="cid:logo@acme" alt="logo">
<a href="https://acme.example/">site</a> <a href="javascript:alert(1)">bad</a>
</body></html>"#,
        );
        assert!(!out.contains("script"), "{out}");
        assert!(!out.contains("alert"), "{out}");
        assert!(!out.contains("tracker.example"), "{out}");
        assert!(!out.contains("t.example"), "{out}");
        assert!(!out.contains("onload"), "{out}");
        assert!(out.contains(r#"src="cid:logo@acme""#), "{out}");
        assert!(out.contains("color:red"), "{out}");
        assert!(out.contains(r#"rel="noopener noreferrer""#), "{out}");
        assert!(out.contains("https://acme.example/"), "{out}");
    }
}
