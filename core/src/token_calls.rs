//! The calls that need only a token (the access token itself, its claims, the origin API calls
//! go to), with the two limits every other call takes: a deadline and a cancel handle.
//!
//! [`crate::Client::access_token`] and its siblings wait for as long as the exchange takes
//! (its own timeouts and retries bound it); a [`TokenCalls`] bounds the whole wait, for a
//! caller that must stay responsive (an asyncio task that may be cancelled, a Java thread that
//! may be interrupted, a C program with a deadline).

use std::time::Duration;

use crate::call_limits::{call_limit_setters, within};
use crate::cancel::Cancel;
use crate::error::{Error, ErrorKind};
use crate::{AccessToken, Claims, Client, Origin};

/// The token calls of a [`Client`] with a deadline and a cancel handle ([`Client::token_calls`]).
#[derive(Clone, Debug)]
pub struct TokenCalls {
    client: Client,
    timeout: Option<Duration>,
    cancel: Option<Cancel>,
}

impl Client {
    /// The token calls of this client, to be given a deadline ([`TokenCalls::timeout`],
    /// default the client's request timeout) and a cancel handle ([`TokenCalls::cancel_on`]).
    pub fn token_calls(&self) -> TokenCalls {
        TokenCalls {
            client: self.clone(),
            timeout: None,
            cancel: None,
        }
    }
}

impl TokenCalls {
    call_limit_setters! {
        /// The deadline of the whole call, an exchange and its retries included (default the
        /// client's request timeout); past it the call fails with [`ErrorKind::Timeout`]. An
        /// exchange it started goes on for the client's other callers.
        timeout;
        /// Ends the call with [`ErrorKind::Cancelled`] as soon as `cancel` fires (an exchange
        /// it started goes on for the client's other callers).
        cancel_on;
    }

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
    use std::time::Duration;

    use crate::call_limits::call_limit_setters;
    use crate::cancel::Cancel;
    use crate::error::Error;
    use crate::{AccessToken, Claims, Origin};

    /// The token calls of a [`crate::blocking::Client`] with a deadline and a cancel handle
    /// ([`crate::blocking::Client::token_calls`]).
    #[derive(Clone, Debug)]
    pub struct TokenCalls {
        client: crate::blocking::Client,
        timeout: Option<Duration>,
        cancel: Option<Cancel>,
    }

    impl crate::blocking::Client {
        /// The token calls of this client, to be given a deadline and a cancel handle (see
        /// [`super::TokenCalls`]).
        pub fn token_calls(&self) -> TokenCalls {
            TokenCalls {
                client: self.clone(),
                timeout: None,
                cancel: None,
            }
        }
    }

    impl TokenCalls {
        call_limit_setters! {
            /// The deadline of the whole call (see [`super::TokenCalls::timeout`]).
            timeout;
            /// Ends the call as soon as `cancel` fires (see [`super::TokenCalls::cancel_on`]).
            cancel_on;
        }

        /// A current access token.
        pub fn access_token(&self) -> Result<AccessToken, Error> {
            let calls = self.asynchronous();
            self.client
                .run_async(move |_| async move { calls.access_token().await })
        }

        /// The decoded claims of a current access token.
        pub fn claims(&self) -> Result<Option<Claims>, Error> {
            let calls = self.asynchronous();
            self.client
                .run_async(move |_| async move { calls.claims().await })
        }

        /// The origin API calls go to now.
        pub fn api_origin(&self) -> Result<Origin, Error> {
            let calls = self.asynchronous();
            self.client
                .run_async(move |_| async move { calls.api_origin().await })
        }

        fn asynchronous(&self) -> super::TokenCalls {
            let mut calls = self.client.as_async().token_calls();
            calls.timeout = self.timeout;
            calls.cancel = self.cancel.clone();
            calls
        }
    }
}
