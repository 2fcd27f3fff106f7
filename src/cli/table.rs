//! Plain aligned columns for lists on a terminal (`keys list`, `trust list`): a header row, each
//! column as wide as its widest cell, the last one left as it is.

/// The lines of a table: `header` then `rows`, columns separated by two spaces.
pub fn lines(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        out.trim_end().to_string()
    };
    let mut out = vec![line(header.to_vec())];
    out.extend(
        rows.iter()
            .map(|r| line(r.iter().map(String::as_str).collect())),
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_line_up_under_their_header() {
        let rows = vec![
            vec!["demo-rotated".to_string(), "CN=a".into(), "soon".into()],
            vec!["x".to_string(), "CN=much-longer".into(), "later".into()],
        ];
        let out = super::lines(&["name", "subject", "expiry"], &rows);
        assert_eq!(out[0], "name          subject         expiry");
        assert_eq!(out[1], "demo-rotated  CN=a            soon");
        assert_eq!(out[2], "x             CN=much-longer  later");
    }
}
