//! Maven versions, ordered like Maven's `ComparableVersion` (maven-artifact 3.8).
//!
//! A version is lower-cased and split into items: `.` separates items, `-` starts a
//! nested list, and a change between digits and letters also starts a nested list
//! (`1.0alpha1` is `1.0-alpha-1`). An empty item is `0`. Numbers are numbers (with
//! leading zeros dropped). Words are qualifiers: `alpha` (or `a` before a digit) <
//! `beta` (`b`) < `milestone` (`m`) < `rc` = `cr` < `snapshot` < the release (`""`,
//! `ga`, `final`, `release`) < `sp`, and any other word after all of these, compared
//! alphabetically. Trailing "null" items (0, release qualifiers, empty lists) are
//! dropped from each list, so `1.0 == 1 == 1-ga == 1.0.0-final`.
//!
//! Comparing items of different kinds: a number is newer than a word or a list
//! (`1.1 > 1-1 > 1-sp`), a list is newer than a word; a missing item compares like the
//! release. Numbers of up to 9, up to 18 and more digits are three different kinds in
//! Maven (an `int`, a `long`, a `BigInteger`), and a longer kind is always newer.
//!
//! Maven accepts any string; here the empty string and strings with whitespace, control
//! or non-ASCII characters are not versions.

use std::cmp::Ordering;

use super::cmp_decimal;

#[derive(Debug, Clone)]
enum Item {
    /// A number, its width class (0: int, 1: long, 2: big) and digits.
    Number(u8, String),
    /// A qualifier, with aliases already resolved.
    Word(String),
    List(Vec<Item>),
}

/// The canonical qualifiers, oldest first; `""` is the release.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE: usize = 5;

/// A parsed Maven version; compare with [`Ord`].
#[derive(Debug, Clone)]
pub struct Version {
    items: Vec<Item>,
}

fn number_item(digits: &str) -> Item {
    let stripped = digits.trim_start_matches('0');
    // Maven keeps an all-zero run as it is.
    let kept = if stripped.is_empty() { digits } else { stripped };
    let class = match kept.len() {
        0..=9 => 0,
        10..=18 => 1,
        _ => 2,
    };
    Item::Number(class, kept.to_owned())
}

fn word_item(word: &str, followed_by_digit: bool) -> Item {
    let word = match word {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Word(word.to_owned())
}

fn parse_item(is_digit: bool, text: &str) -> Item {
    if is_digit {
        number_item(text)
    } else {
        word_item(text, false)
    }
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Number(_, digits) => digits.bytes().all(|c| c == b'0'),
        Item::Word(word) => word.is_empty(),
        Item::List(list) => list.is_empty(),
    }
}

/// Drops trailing null items; a non-null nested list does not stop the search.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if is_null(&list[i]) {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

impl Version {
    /// Parses a version; `None` for empty or non-printable-ASCII input.
    pub fn parse(input: &str) -> Option<Self> {
        if input.is_empty() || !input.bytes().all(|c| c.is_ascii_graphic()) {
            return None;
        }
        let version = input.to_ascii_lowercase();
        let bytes = version.as_bytes();
        // The open lists, outermost first: each new list is the last item of the one
        // before it, and items only ever go into the innermost one.
        let mut lists: Vec<Vec<Item>> = vec![Vec::new()];
        let mut is_digit = false;
        let mut start = 0;
        for (i, &c) in bytes.iter().enumerate() {
            match c {
                b'.' | b'-' => {
                    let item = if i == start {
                        Item::Number(0, "0".to_owned())
                    } else {
                        parse_item(is_digit, &version[start..i])
                    };
                    push(&mut lists, item);
                    start = i + 1;
                    if c == b'-' {
                        lists.push(Vec::new());
                    }
                }
                b'0'..=b'9' => {
                    if !is_digit && i > start {
                        push(&mut lists, word_item(&version[start..i], true));
                        start = i;
                        lists.push(Vec::new());
                    }
                    is_digit = true;
                }
                _ => {
                    if is_digit && i > start {
                        push(&mut lists, parse_item(true, &version[start..i]));
                        start = i;
                        lists.push(Vec::new());
                    }
                    is_digit = false;
                }
            }
        }
        if bytes.len() > start {
            push(&mut lists, parse_item(is_digit, &version[start..]));
        }
        // Maven normalises every list, innermost first.
        let mut root = Vec::new();
        while let Some(mut list) = lists.pop() {
            normalize(&mut list);
            match lists.last_mut() {
                Some(parent) => parent.push(Item::List(list)),
                None => root = list,
            }
        }
        Some(Self { items: root })
    }
}

fn push(lists: &mut [Vec<Item>], item: Item) {
    if let Some(list) = lists.last_mut() {
        list.push(item);
    }
}

fn qualifier_rank(word: &str) -> Result<usize, &str> {
    QUALIFIERS.iter().position(|q| *q == word).ok_or(word)
}

/// Maven orders qualifiers by the string "index" for known ones and "7-word" for the
/// others, which puts every unknown word after `sp` (and compares them alphabetically).
fn compare_words(a: &str, b: &str) -> Ordering {
    match (qualifier_rank(a), qualifier_rank(b)) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(x), Err(y)) => x.cmp(y),
    }
}

/// Compares an item with a missing one.
fn compare_with_nothing(item: &Item) -> Ordering {
    match item {
        Item::Number(_, digits) => {
            if digits.bytes().all(|c| c == b'0') {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        Item::Word(word) => compare_words(word, QUALIFIERS[RELEASE]),
        Item::List(list) => list.first().map_or(Ordering::Equal, compare_with_nothing),
    }
}

fn kind_rank(item: &Item) -> u8 {
    match item {
        Item::Word(_) => 0,
        Item::List(_) => 1,
        Item::Number(..) => 2,
    }
}

fn compare_items(a: &Item, b: &Item) -> Ordering {
    match (a, b) {
        (Item::Number(ca, x), Item::Number(cb, y)) => {
            ca.cmp(cb).then_with(|| cmp_decimal(x.as_bytes(), y.as_bytes()))
        }
        (Item::Word(x), Item::Word(y)) => compare_words(x, y),
        (Item::List(x), Item::List(y)) => compare_lists(x, y),
        // Different kinds: number > list > word.
        _ => kind_rank(a).cmp(&kind_rank(b)),
    }
}

fn compare_lists(a: &[Item], b: &[Item]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let order = match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => compare_items(x, y),
            (Some(x), None) => compare_with_nothing(x),
            (None, Some(y)) => compare_with_nothing(y).reverse(),
            (None, None) => Ordering::Equal,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_lists(&self.items, &other.items)
    }
}

order_by_cmp!(Version);

/// Orders two Maven versions; `None` when either is not valid.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a)?.cmp(&Version::parse(b)?))
}
