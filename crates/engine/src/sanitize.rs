//! Text from outside (a server's names and pages, a profile's name) made safe for a terminal line: control characters are shown escaped, never sent raw.

/// `text` with every control character but tab written as `\xNN` (or `\u{NNNN}`), so an
/// escape sequence from a server cannot move the cursor, change colours or retitle the terminal.
pub fn line(text: &str) -> String {
    escape(text, false)
}

/// The same, keeping line breaks: for messages of several lines.
pub fn text(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, keep_newlines: bool) -> String {
    let kept = |c: char| c == '\t' || (keep_newlines && c == '\n');
    if !text.chars().any(|c| c.is_control() && !kept(c)) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if kept(c) => out.push(c),
            c if (c as u32) < 0x100 && c.is_control() => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_never_reach_the_terminal() {
        assert_eq!(
            super::line("CN=a\u{1b}]0;pwned\u{7}"),
            "CN=a\\x1b]0;pwned\\x07"
        );
        assert_eq!(super::line("plain\tword é"), "plain\tword é");
        assert_eq!(super::line("a\u{9b}b"), "a\\x9bb");
        assert_eq!(super::text("two\nlines\r"), "two\nlines\\x0d");
        assert_eq!(super::line("two\nlines"), "two\\x0alines");
    }
}
