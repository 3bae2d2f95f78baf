//! "Did you mean": the nearest known name to a mistyped one, by edit distance. Shared by
//! every place that names something unknown (compile problems, validation, the wizard).

/// The candidate nearest to a mistyped `key`, within `max` edits (ties: the first in
/// alphabetical order): what "did you mean" suggestions offer.
pub(crate) fn closest<'a>(
    key: &str,
    candidates: impl Iterator<Item = &'a str>,
    max: usize,
) -> Option<&'a str> {
    candidates.map(|k| (edit_distance(k, key), k)).filter(|(d, _)| *d <= max).min().map(|(_, k)| k)
}

/// Levenshtein distance in characters (one row of the table at a time).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let value = (prev + usize::from(ca != *cb)).min(above + 1).min(left + 1);
            prev = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}
