//! Names that are not there: the closest one that is, or a few of those that are.

/// What a folder or store holds instead of a name that is not there: the closest name, or the
/// first few.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    Closest(String),
    /// The first few names, and how many there are in all.
    Some(Vec<String>, usize),
    Nothing,
}

impl Known {
    pub fn among(wanted: &str, names: impl Iterator<Item = String>) -> Known {
        let names: Vec<String> = names.collect();
        let best = names
            .iter()
            .map(|n| (strsim::jaro_winkler(wanted, n), n))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        match best {
            Some((_, n)) => Known::Closest(n.clone()),
            None if names.is_empty() => Known::Nothing,
            None => {
                let all = names.len();
                Known::Some(names.into_iter().take(5).collect(), all)
            }
        }
    }

    /// `": did you mean X?"`, else `": {holds} A, B and 3 more"`, else `": there is none yet"`.
    pub fn words(&self, holds: &str) -> String {
        match self {
            Known::Closest(n) => format!(": did you mean {n:?}?"),
            Known::Some(names, all) if *all > names.len() => {
                format!(
                    ": {holds} {} and {} more",
                    names.join(", "),
                    all - names.len()
                )
            }
            Known::Some(names, _) => format!(": {holds} {}", names.join(", ")),
            Known::Nothing => ": there is none yet".into(),
        }
    }
}
