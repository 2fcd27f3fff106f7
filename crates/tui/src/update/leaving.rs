//! Leaving the form: quit, open another profile or a new one, asking first about unsaved edits.

use super::*;

/// Goes where the user asked, or first asks what becomes of the form's unsaved edits.
pub(super) fn leave(s: &mut State, to: Leave) {
    if s.form.dirty {
        s.popup = Some(Popup::Unsaved(to));
    } else {
        go(s, to);
    }
}

/// Fills the form from loaded profile `i` (with the stamp of its file); false when it is broken.
pub(super) fn fill_form(s: &mut State, i: usize) -> bool {
    let Some(loaded) = s.profiles.items().get(i) else {
        return false;
    };
    let Ok(p) = &loaded.result else {
        return false;
    };
    let stamp = loaded.stamp;
    s.form = Form::from_profile(p);
    s.form.stamp = stamp;
    true
}

/// Leaves the form (its edits saved or given up): quit, open a profile, or start a new one.
pub(super) fn go(s: &mut State, to: Leave) {
    match to {
        Leave::Quit => s.quit = true,
        Leave::Open(name) => {
            let Some(i) = s.profiles.position(&name) else {
                return;
            };
            s.profiles.select(i);
            if fill_form(s, i) {
                s.focus = Pane::Form;
                s.field = Field::Url;
                s.form_idle = false;
            }
        }
        Leave::New => {
            let name = (1..)
                .map(|i| format!("new-{i}"))
                .find(|n| s.profiles.position(n).is_none())
                .unwrap_or_default();
            // The URL starts empty: a pasted curl command becomes the request.
            s.form = Form::from_profile(&Profile {
                name,
                ..Profile::default()
            });
            s.form.dirty = true;
            s.focus = Pane::Form;
        }
    }
}
