//! The form to submit a matter (anmäl ärende) to a body.

use arende_core::matter::MatterKind;
use arende_core::org::Organisation;
use maud::{Markup, html};

use super::kind_text;
use crate::layout::{Ctx, page};

/// Renders the submission form (or, without a caller, the sign-in notice alone).
pub fn submit_page(ctx: &Ctx, org: &Organisation) -> Markup {
    let body = html! {
        @if ctx.can_act() {
            form method="post" action=(ctx.href("matters")) {
                label for="f-title" { (ctx.t("Rubrik", "Title")) }
                input id="f-title" name="title" type="text" size="70" required;
                label for="f-kind" { (ctx.t("Slag", "Kind")) }
                select id="f-kind" name="kind" {
                    @for k in MatterKind::ALL { option value=(k.name()) { (kind_text(k, ctx.lang)) } }
                }
                label for="f-body" { (ctx.t("Till organ", "To body")) }
                select id="f-body" name="body" {
                    @for b in org.bodies.values() { option value=(b.id) { (b.name) } }
                }
                button type="submit" id="f-submit" { (ctx.t("Anmäl", "Submit")) }
            }
        } @else {
            p { (ctx.t("Logga in för att anmäla ett ärende.", "Sign in to submit a matter.")) }
        }
    };
    page(
        ctx,
        ctx.t("Anmäl ärende", "Submit a matter"),
        "matters/new",
        body,
    )
}
