//! What the spec cannot say about a capture's answer.

use crate::v1::types::{ApplicationStatus, Capture};
use crate::OpenEnum;

impl Capture {
    /// The application's status after the capture, read as `status` reads it.
    ///
    /// The capture answer gives the status as plain text (the list of values is written once
    /// in the spec, on `Application`); this reads it into the same open enum.
    pub fn application_status(&self) -> OpenEnum<ApplicationStatus> {
        OpenEnum::parse(&self.status)
    }
}
