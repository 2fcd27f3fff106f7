//! A pasted command split into words as a POSIX shell would, written as certbench templates: a `$NAME` the shell would expand becomes `${env:NAME}`, a `$` it would keep (in single quotes, escaped, or not a name) becomes `$$`.

use crate::interop::not_a_command::NotACommand;

/// The words after `program` in a pasted command line (`\` line breaks joined), as templates,
/// and the environment variables they read; an error when the command is not `program`'s.
pub fn command_args(
    command: &str,
    program: &'static str,
) -> Result<(Vec<String>, Vec<String>), NotACommand> {
    let joined = command.replace("\\\r\n", " ").replace("\\\n", " ");
    let (words, env) = split(&joined)?;
    let mut words = words.into_iter();
    match words.next() {
        Some(first) if first == program || first.ends_with(&format!("/{program}")) => {}
        _ => {
            return Err(NotACommand::OtherProgram { program });
        }
    }
    Ok((words.collect(), env))
}

/// The words of `command`, as templates, and the environment variables they read. Nothing is
/// run: `$(...)` and backquotes stay text.
pub fn split(command: &str) -> Result<(Vec<String>, Vec<String>), NotACommand> {
    let mut words = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut started = false;
    let mut chars = command.chars().peekable();
    let mut single = false;
    let mut double = false;
    while let Some(c) = chars.next() {
        if single {
            match c {
                '\'' => single = false,
                c => literal(&mut word, c),
            }
            continue;
        }
        match c {
            '"' => {
                double = !double;
                started = true;
            }
            '\'' if !double => {
                single = true;
                started = true;
            }
            '\\' => match chars.next() {
                // A line break after a backslash continues the line.
                Some('\n') => {}
                Some(next) if double && !matches!(next, '$' | '`' | '"' | '\\') => {
                    word.push('\\');
                    literal(&mut word, next);
                }
                Some(next) => {
                    literal(&mut word, next);
                    started = true;
                }
                None => word.push('\\'),
            },
            '$' => {
                started = true;
                match variable(&mut chars) {
                    Some(name) => {
                        word.push_str(&format!("${{env:{name}}}"));
                        if !names.contains(&name) {
                            names.push(name);
                        }
                    }
                    None => word.push_str("$$"),
                }
            }
            c if c.is_whitespace() && !double => {
                if started || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                literal(&mut word, c);
                started = true;
            }
        }
    }
    if single || double {
        return Err(NotACommand::UnclosedQuote);
    }
    if started || !word.is_empty() {
        words.push(word);
    }
    Ok((words, names))
}

/// A character kept as it is: `$` is written `$$`, certbench's literal dollar.
fn literal(word: &mut String, c: char) {
    if c == '$' {
        word.push_str("$$");
    } else {
        word.push(c);
    }
}

/// The name after a `$` a shell would expand (`$NAME` or `${NAME}`), consuming it; None (and
/// nothing consumed) when what follows is not a name.
fn variable(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    let start = |c: &char| c.is_ascii_alphabetic() || *c == '_';
    let more = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
    if chars.peek() == Some(&'{') {
        let mut look = chars.clone();
        look.next();
        let name: String = look.clone().take_while(more).collect();
        let mut after = look.skip(name.chars().count());
        if name.chars().next().is_some_and(|c| start(&c)) && after.next() == Some('}') {
            for _ in 0..name.chars().count() + 2 {
                chars.next();
            }
            return Some(name);
        }
        return None;
    }
    if !chars.peek().is_some_and(start) {
        return None;
    }
    let mut name = String::new();
    while let Some(c) = chars.peek().copied().filter(more) {
        name.push(c);
        chars.next();
    }
    Some(name)
}

/// A template word back to plain text, for values that are never expanded (a method, a header
/// name, a flag's number): `$$` is `$` again; `${env:NAME}` is read from this environment.
pub fn plain(word: &str) -> Result<String, NotACommand> {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i + 1..).unwrap_or_default();
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some((name, tail)) =
            after.strip_prefix("{env:").and_then(|t| t.split_once('}'))
        {
            let value =
                std::env::var(name).map_err(|_| NotACommand::UnsetVariable(name.to_string()))?;
            out.push_str(&value);
            rest = tail;
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(cmd: &str) -> Vec<String> {
        split(cmd).unwrap().0
    }

    #[test]
    fn quotes_decide_what_a_dollar_means() {
        assert_eq!(
            words(r#"curl -H "A: Bearer $TOKEN" -H 'B: $TOKEN' -d \$x ${T2}y $ $1 "$(id)""#),
            [
                "curl",
                "-H",
                "A: Bearer ${env:TOKEN}",
                "-H",
                "B: $$TOKEN",
                "-d",
                "$$x",
                "${env:T2}y",
                "$$",
                "$$1",
                "$$(id)"
            ]
        );
        assert_eq!(split("curl $A $A").unwrap().1, ["A"]);
        assert_eq!(
            words("curl 'a b' \"c\\\"d\" e\\ f ''"),
            ["curl", "a b", "c\"d", "e f", ""]
        );
        assert_eq!(words("curl \\\n  -s"), ["curl", "-s"]);
        assert!(split("curl 'open").is_err());
        assert_eq!(plain("P$$x").unwrap(), "P$x");
    }
}
