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

/// Declares a group of calls of a client that share the two limits: the struct (the client,
/// no deadline, no cancel handle), the method of the client that makes one, and its
/// [`call_limit_setters!`]. A blocking group names its async twin after `twin`, and gets
/// `run`, which runs a call of the twin, with the same limits, on the client's runtime:
///
/// ```ignore
/// call_group! {
///     /// The webhooks API of a client.
///     pub struct Webhooks of Client;
///     /// The webhooks API of this client.
///     fn webhooks;
///     /// The deadline of each request.
///     timeout;
///     /// Ends every request when `cancel` fires.
///     cancel_on;
/// }
/// ```
macro_rules! call_group {
    (
        $(#[$doc:meta])* pub struct $group:ident of $client:ty;
        $(#[$make_doc:meta])* fn $make:ident;
        $(#[$timeout_doc:meta])* timeout;
        $(#[$cancel_doc:meta])* cancel_on;
        $(twin $twin:ty;)?
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $group {
            client: $client,
            timeout: Option<::std::time::Duration>,
            cancel: Option<$crate::cancel::Cancel>,
        }

        impl $client {
            $(#[$make_doc])*
            pub fn $make(&self) -> $group {
                $group {
                    client: self.clone(),
                    timeout: None,
                    cancel: None,
                }
            }
        }

        impl $group {
            $crate::call_limits::call_limit_setters! {
                $(#[$timeout_doc])* timeout;
                $(#[$cancel_doc])* cancel_on;
            }

            $(
                /// Runs `call` on the async twin of this group (the same limits) on the
                /// client's runtime, and waits for its result.
                fn run<T, F>(&self, call: impl FnOnce($twin) -> F) -> Result<T, $crate::Error>
                where
                    T: Send + 'static,
                    F: ::std::future::Future<Output = Result<T, $crate::Error>> + Send + 'static,
                {
                    let mut twin = self.client.as_async().$make();
                    twin.timeout = self.timeout;
                    twin.cancel = self.cancel.clone();
                    self.client.run_async(move |_| call(twin))
                }
            )?
        }
    };
}

pub(crate) use call_group;

/// Runs `call` within the two limits: it ends with the error of `timed_out` when `budget`
/// passes and with that of `cancelled` as soon as `cancel` fires (checked first, so a handle
/// that fired before the call wins over a call that is ready).
pub(crate) async fn within<T>(
    budget: std::time::Duration,
    cancel: Option<&crate::cancel::Cancel>,
    call: impl std::future::Future<Output = Result<T, crate::Error>>,
    timed_out: impl FnOnce() -> crate::Error,
    cancelled: impl FnOnce() -> crate::Error,
) -> Result<T, crate::Error> {
    let bounded = async {
        match tokio::time::timeout(budget, call).await {
            Ok(result) => result,
            Err(_) => Err(timed_out()),
        }
    };
    match cancel {
        None => bounded.await,
        Some(cancel) => {
            tokio::select! {
                biased;
                _ = cancel.fired() => Err(cancelled()),
                result = bounded => result,
            }
        }
    }
}
