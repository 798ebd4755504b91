//! The page shell (sidmall): `lang` attribute, skip link, header with the county's
//! navigation, the main landmark, the sign-in notice when no one is signed in, and the
//! language switch. Every page renders through [`page`].

use arende_core::authz::Actor;
use arende_core::ids::TenantId;
use arende_core::language::Language;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::lang::t;

/// What every page knows of its request: the county, the language, who asks.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The county's tenant id (used in every link).
    pub tenant: TenantId,
    /// The county's name.
    pub county: String,
    /// The page language.
    pub lang: Language,
    /// The signed-in caller, if any (no caller: read-only pages).
    pub actor: Option<Actor>,
    /// The caller's display name.
    pub actor_name: Option<String>,
    /// How many stored matters or meetings the pages leave out because their stored
    /// history cannot be read (quarantined): said on every page when any.
    pub quarantined: usize,
}

impl Ctx {
    /// A link inside the county's pages, e.g. `base("bodies/sbu")`, keeping `?lang=en`.
    pub fn href(&self, path: &str) -> String {
        let base = format!("/ui/{}/{}", self.tenant, path);
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}lang={}", self.lang.code())
    }

    /// Picks the Swedish or English text.
    pub fn t(&self, sv: &'static str, en: &'static str) -> &'static str {
        t(self.lang, sv, en)
    }

    /// Whether forms are shown (someone is signed in).
    pub fn can_act(&self) -> bool {
        self.actor.is_some()
    }
}

/// A whole page: `title` in the `<title>` and the `<h1>`, `body` in `<main>`.
pub fn page(ctx: &Ctx, title: &str, path: &str, body: Markup) -> Markup {
    let other = match ctx.lang {
        Language::English => ("sv", "Svenska"),
        _ => ("en", "English"),
    };
    let plain = format!("/ui/{}/{}", ctx.tenant, path);
    let switch = if plain.contains('?') {
        format!("{plain}&lang={}", other.0)
    } else {
        format!("{plain}?lang={}", other.0)
    };
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – " (ctx.county) }
                link rel="stylesheet" href="/ui/assets/style.css";
                script src="/ui/assets/live.js" defer {}
            }
            body data-live[!ctx.can_act()] {
                a class="skip" href="#main" { (ctx.t("Hoppa till innehållet", "Skip to content")) }
                header {
                    nav aria-label=(ctx.t("Huvudmeny", "Main menu")) {
                        ul {
                            li { a href=(ctx.href("")) { (ctx.county) } }
                            li { a href=(ctx.href("matters/new")) { (ctx.t("Anmäl ärende", "Submit a matter")) } }
                            li { a href=(switch) lang=(other.0) { (other.1) } }
                        }
                    }
                    p class="who" {
                        @match &ctx.actor_name {
                            Some(name) => { (ctx.t("Inloggad som", "Signed in as")) " " strong { (name) } }
                            None => { (ctx.t("Du är inte inloggad: sidorna visas utan formulär. Logga in för att anmäla, bereda, kalla och justera.", "You are not signed in: the pages show no forms. Sign in to submit, screen, send notices and adjust.")) }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    h1 { (title) }
                    @if ctx.quarantined > 0 {
                        div class="alert" role="alert" id="quarantined" {
                            p {
                                @match ctx.lang {
                                    Language::English => { (ctx.quarantined) " stored items are left out of these pages: their stored history cannot be read. The operator checks the store (arende store verify)." }
                                    _ => { (ctx.quarantined) " lagrade ärenden eller möten visas inte på sidorna: deras lagrade historik går inte att läsa. Driften kontrollerar lagringen (arende store verify)." }
                                }
                            }
                        }
                    }
                    (body)
                }
                footer {
                    p { (ctx.t("Ärendeflöde", "Matter flow")) " · " (ctx.county) }
                }
            }
        }
    }
}

/// A refusal or error box (role="alert") with a title and a detail.
pub fn alert(title: &str, detail: &str) -> Markup {
    html! {
        div class="alert" role="alert" {
            h2 { (title) }
            p { (detail) }
        }
    }
}

/// A confirmation box (role="status").
pub fn status(text: &str) -> Markup {
    html! { div class="ok" role="status" { p { (text) } } }
}

/// Raw, already safe markup (the route SVG).
pub fn raw(s: String) -> Markup {
    PreEscaped(s)
}
