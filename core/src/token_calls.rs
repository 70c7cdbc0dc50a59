//! The calls that need only a token (the access token itself, its claims, the origin API calls
//! go to), with the two limits every other call takes: a deadline and a cancel handle.
//!
//! [`crate::Client::access_token`] and its siblings wait for as long as the exchange takes
//! (its own timeouts and retries bound it); a [`TokenCalls`] bounds the whole wait, for a
//! caller that must stay responsive (an asyncio task that may be cancelled, a Java thread that
//! may be interrupted, a C program with a deadline).

use crate::call_limits::{call_group, within};
use crate::error::{Error, ErrorKind};
use crate::{AccessToken, Claims, Client, Origin};

call_group! {
    /// The token calls of a [`Client`] with a deadline and a cancel handle
    /// ([`Client::token_calls`]).
    pub struct TokenCalls of Client;
    /// The token calls of this client, to be given a deadline ([`TokenCalls::timeout`],
    /// default the client's request timeout) and a cancel handle ([`TokenCalls::cancel_on`]).
    fn token_calls;
    /// The deadline of the whole call, an exchange and its retries included (default the
    /// client's request timeout); past it the call fails with [`ErrorKind::Timeout`]. An
    /// exchange it started goes on for the client's other callers.
    timeout;
    /// Ends the call with [`ErrorKind::Cancelled`] as soon as `cancel` fires (an exchange
    /// it started goes on for the client's other callers).
    cancel_on;
}

impl TokenCalls {
    /// A current access token (see [`Client::access_token`]).
    pub async fn access_token(&self) -> Result<AccessToken, Error> {
        self.with_token("getting an access token", |_, token| token.token.clone())
            .await
    }

    /// The decoded claims of a current access token (see [`Client::claims`]).
    pub async fn claims(&self) -> Result<Option<Claims>, Error> {
        self.with_token("getting the token's claims", |_, token| {
            token.token.claims()
        })
        .await
    }

    /// The origin API calls go to now (see [`Client::api_origin`]).
    pub async fn api_origin(&self) -> Result<Origin, Error> {
        self.with_token("getting the API origin", |client, token| {
            client.origin_for(token)
        })
        .await
    }

    /// `then` applied to a current token, within this call's limits; `what` names the call in
    /// its timeout and cancellation messages.
    async fn with_token<T>(
        &self,
        what: &str,
        then: impl FnOnce(&Client, &crate::token_manager::CachedToken) -> T,
    ) -> Result<T, Error> {
        let budget = self.timeout.unwrap_or(self.client.request_timeout());
        let deadline = self.client.clock().now() + budget;
        let token = within(
            budget,
            self.cancel.as_ref(),
            self.client.token_until(deadline),
            || {
                Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "{what} timed out: the call's deadline of {} ms passed",
                        budget.as_millis()
                    ),
                )
            },
            || Error::new(ErrorKind::Cancelled, format!("{what} was cancelled")),
        )
        .await?;
        Ok(then(&self.client, &token))
    }
}

/// The blocking flavour, for a [`crate::blocking::Client`].
pub mod blocking {
    use crate::call_limits::call_group;
    use crate::error::Error;
    use crate::{AccessToken, Claims, Origin};

    call_group! {
        /// The token calls of a [`crate::blocking::Client`] with a deadline and a cancel handle
        /// ([`crate::blocking::Client::token_calls`]).
        pub struct TokenCalls of crate::blocking::Client;
        /// The token calls of this client, to be given a deadline and a cancel handle (see
        /// [`super::TokenCalls`]).
        fn token_calls;
        /// The deadline of the whole call (see [`super::TokenCalls::timeout`]).
        timeout;
        /// Ends the call as soon as `cancel` fires (see [`super::TokenCalls::cancel_on`]).
        cancel_on;
        twin super::TokenCalls;
    }

    impl TokenCalls {
        /// A current access token.
        pub fn access_token(&self) -> Result<AccessToken, Error> {
            self.run(|calls| async move { calls.access_token().await })
        }

        /// The decoded claims of a current access token.
        pub fn claims(&self) -> Result<Option<Claims>, Error> {
            self.run(|calls| async move { calls.claims().await })
        }

        /// The origin API calls go to now.
        pub fn api_origin(&self) -> Result<Origin, Error> {
            self.run(|calls| async move { calls.api_origin().await })
        }
    }
}
