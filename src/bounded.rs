//! Lists whose length the spec limits (`minItems` / `maxItems`), checked before anything is sent.
//!
//! The generated request types use [`BoundedVec`] wherever the spec limits a list (the build's
//! `bounded_request_arrays` rule): a subscription with more buyers than the version allows is
//! refused by the type, like a string that breaks its pattern.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

/// A type-level item count, the bound of a [`BoundedVec`].
pub trait Bound {
    /// The count.
    const COUNT: usize;
}

/// At least `N` items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Min<const N: usize>;

/// At most `N` items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Max<const N: usize>;

impl<const N: usize> Bound for Min<N> {
    const COUNT: usize = N;
}

impl<const N: usize> Bound for Max<N> {
    const COUNT: usize = N;
}

/// A `Vec` holding between `L::COUNT` and `U::COUNT` items.
///
/// ```
/// use scalexpert::bounded::{BoundedVec, Max, Min};
/// type OneBuyer = BoundedVec<&'static str, Min<0>, Max<1>>;
/// assert!(OneBuyer::try_from(vec!["claire"]).is_ok());
/// let refused = OneBuyer::try_from(vec!["claire", "paul"]).unwrap_err();
/// assert_eq!(refused.to_string(), "2 items where the spec allows 0 to 1");
/// ```
pub struct BoundedVec<T, L: Bound, U: Bound> {
    items: Vec<T>,
    bounds: PhantomData<(L, U)>,
}

/// A list whose length the spec does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundsError {
    /// How many items there were.
    pub len: usize,
    /// The fewest the spec allows.
    pub min: usize,
    /// The most the spec allows.
    pub max: usize,
}

impl fmt::Display for BoundsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} items where the spec allows {} to {}",
            self.len, self.min, self.max
        )
    }
}

impl std::error::Error for BoundsError {}

impl<T, L: Bound, U: Bound> BoundedVec<T, L, U> {
    /// The items, as a plain `Vec`.
    pub fn into_inner(self) -> Vec<T> {
        self.items
    }
}

impl<T, L: Bound, U: Bound> TryFrom<Vec<T>> for BoundedVec<T, L, U> {
    type Error = BoundsError;

    fn try_from(items: Vec<T>) -> Result<Self, BoundsError> {
        if (L::COUNT..=U::COUNT).contains(&items.len()) {
            Ok(BoundedVec {
                items,
                bounds: PhantomData,
            })
        } else {
            Err(BoundsError {
                len: items.len(),
                min: L::COUNT,
                max: U::COUNT,
            })
        }
    }
}

impl<T, L: Bound, U: Bound> From<BoundedVec<T, L, U>> for Vec<T> {
    fn from(bounded: BoundedVec<T, L, U>) -> Vec<T> {
        bounded.items
    }
}

impl<T, L: Bound, U: Bound> Deref for BoundedVec<T, L, U> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<'a, T, L: Bound, U: Bound> IntoIterator for &'a BoundedVec<T, L, U> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

// Written out rather than derived: a derive would also require the bound markers to implement
// each trait.
impl<T: Clone, L: Bound, U: Bound> Clone for BoundedVec<T, L, U> {
    fn clone(&self) -> Self {
        BoundedVec {
            items: self.items.clone(),
            bounds: PhantomData,
        }
    }
}

impl<T: fmt::Debug, L: Bound, U: Bound> fmt::Debug for BoundedVec<T, L, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

impl<T: PartialEq, L: Bound, U: Bound> PartialEq for BoundedVec<T, L, U> {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

impl<T: Serialize, L: Bound, U: Bound> Serialize for BoundedVec<T, L, U> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.items.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>, L: Bound, U: Bound> Deserialize<'de> for BoundedVec<T, L, U> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let items = Vec::<T>::deserialize(deserializer)?;
        BoundedVec::try_from(items).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type UpToTwo = BoundedVec<u8, Min<1>, Max<2>>;

    #[test]
    fn decoding_checks_the_length() {
        let two: UpToTwo = serde_json::from_str("[1,2]").expect("within bounds");
        assert_eq!(&*two, &[1, 2]);
        assert_eq!(serde_json::to_string(&two).expect("encodes"), "[1,2]");
        let error = serde_json::from_str::<UpToTwo>("[1,2,3]").expect_err("too many");
        assert!(error
            .to_string()
            .contains("3 items where the spec allows 1 to 2"));
        assert!(serde_json::from_str::<UpToTwo>("[]").is_err(), "too few");
    }
}
