//! Byte sizes as people write them (`256MiB`, `10M`, `64k`, `1024`), for limits in profiles and flags.
//!
//! Written here rather than taken from a crate: the value must round-trip through a profile's
//! TOML exactly as typed, and the accepted forms are the few that curl and our docs use.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A size in bytes; K/M/G (and KiB/MiB/GiB, KB/MB/GB) are all powers of 1024, as in curl.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub u64);

impl ByteSize {
    pub const KIB: u64 = 1024;
    pub const MIB: u64 = 1024 * 1024;
    pub const GIB: u64 = 1024 * 1024 * 1024;

    pub fn bytes(self) -> u64 {
        self.0
    }
}

/// Text that is not a size, with the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotASize {
    #[error("{0:?} is not a size: write e.g. 256MiB, 10M, 64k or 1048576")]
    NoNumber(String),
    #[error("{text:?}: unknown unit {unit:?} (use K, M or G, optionally KiB/MiB/GiB)")]
    Unit { text: String, unit: String },
    #[error("{0:?} is too large")]
    TooLarge(String),
}

worded!(NotASize);

impl std::str::FromStr for ByteSize {
    type Err = NotASize;

    fn from_str(s: &str) -> Result<ByteSize, NotASize> {
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let n: u64 = num.parse().map_err(|_| NotASize::NoNumber(s.to_string()))?;
        let unit = unit.trim().to_ascii_lowercase();
        let mult = match unit.trim_end_matches('b').trim_end_matches('i') {
            "" => 1,
            "k" => ByteSize::KIB,
            "m" => ByteSize::MIB,
            "g" => ByteSize::GIB,
            _ => {
                return Err(NotASize::Unit {
                    text: s.to_string(),
                    unit,
                });
            }
        };
        n.checked_mul(mult)
            .map(ByteSize)
            .ok_or_else(|| NotASize::TooLarge(s.to_string()))
    }
}

impl std::fmt::Display for ByteSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0;
        for (unit, size) in [
            ("GiB", ByteSize::GIB),
            ("MiB", ByteSize::MIB),
            ("KiB", ByteSize::KIB),
        ] {
            if n >= size && n.is_multiple_of(size) {
                return write!(f, "{}{unit}", n / size);
            }
        }
        write!(f, "{n}")
    }
}

/// A byte count for messages: "12.3 MB"-style with binary units, exact below 1 KiB.
pub fn human(n: u64) -> String {
    match n {
        n if n >= ByteSize::GIB => format!("{:.1} GiB", n as f64 / ByteSize::GIB as f64),
        n if n >= ByteSize::MIB => format!("{:.1} MiB", n as f64 / ByteSize::MIB as f64),
        n if n >= ByteSize::KIB => format!("{:.1} KiB", n as f64 / ByteSize::KIB as f64),
        n => format!("{n} bytes"),
    }
}

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ByteSize, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Num(n) => Ok(ByteSize(n)),
            Raw::Text(t) => t.parse().map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print_back() {
        for (text, n, shown) in [
            ("256MiB", 256 << 20, "256MiB"),
            ("10M", 10 << 20, "10MiB"),
            ("64k", 64 << 10, "64KiB"),
            ("1 GB", 1 << 30, "1GiB"),
            ("1000", 1000, "1000"),
        ] {
            let s: ByteSize = text.parse().unwrap();
            assert_eq!(s.0, n, "{text}");
            assert_eq!(s.to_string(), shown);
        }
        assert!("ten".parse::<ByteSize>().is_err());
        assert!("5 parsecs".parse::<ByteSize>().is_err());
        assert!("99999999999999G".parse::<ByteSize>().is_err());
        assert_eq!(human(1536), "1.5 KiB");
    }
}
