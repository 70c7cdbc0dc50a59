//! The two limits every call builder takes (a deadline and a cancel handle) and the one way
//! their setters are written.

/// Writes the `timeout` and `cancel_on` setters of a builder that has the fields
/// `timeout: Option<Duration>` and `cancel: Option<Cancel>`. Each builder gives the doc
/// comment of each setter, since what the deadline covers differs from builder to builder:
///
/// ```ignore
/// impl Webhooks {
///     call_limit_setters! {
///         /// The deadline of each request.
///         timeout;
///         /// Ends every request when `cancel` fires.
///         cancel_on;
///     }
/// }
/// ```
macro_rules! call_limit_setters {
    (
        $(#[$timeout_doc:meta])* timeout;
        $(#[$cancel_doc:meta])* cancel_on;
    ) => {
        $(#[$timeout_doc])*
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.timeout = Some(timeout);
            self
        }

        $(#[$cancel_doc])*
        pub fn cancel_on(mut self, cancel: &$crate::cancel::Cancel) -> Self {
            self.cancel = Some(cancel.clone());
            self
        }
    };
}

pub(crate) use call_limit_setters;
