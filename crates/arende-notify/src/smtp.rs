//! E-mail over SMTP (lettre, async on tokio): one message per language group of a
//! notification, plain text with an HTML alternative; a notice (kallelse) carries the
//! meeting as an .ics invitation (`METHOD:REQUEST`, UID from the meeting id).
//!
//! Idempotency: the `Message-ID` is derived from the outbox id (`<ID@DOMAIN>`, or
//! `<ID.LANG@DOMAIN>` for a second language) and the id is also sent as
//! `X-Arende-Idempotency-Key`, so a retried message is the same message to the
//! receiving system and to mail clients that drop duplicates by `Message-ID`.

use arende_core::notification::{Language, NotificationKind};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::NotifyError;
use crate::render::{Outgoing, Rendering};
use crate::transport::{BoxFuture, DeliveryError, Transport};

/// The header that carries the idempotency key.
pub const IDEMPOTENCY_HEADER: &str = "X-Arende-Idempotency-Key";

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpSecurity {
    /// No TLS (only for a relay on the same machine or a test server).
    Plain,
    /// STARTTLS, required.
    #[default]
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// Where and how to send e-mail.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// The relay's host name.
    pub host: String,
    /// The port (587 for STARTTLS, 465 for TLS, 25 plain).
    pub port: u16,
    /// Connection security.
    pub security: SmtpSecurity,
    /// User name and password, if the relay wants them.
    pub credentials: Option<(String, String)>,
    /// The sender's name, e.g. `Regional utveckling, Region Örebro län`.
    pub from_name: String,
    /// The sender's address (also the calendar invitation's organiser).
    pub from_email: String,
    /// The domain of generated `Message-ID`s, e.g. `arende.regionorebrolan.se`.
    pub message_id_domain: String,
    /// Connection and command timeout.
    pub timeout: std::time::Duration,
}

impl SmtpConfig {
    /// A plain-text connection to a relay on `host:port` (tests, a local relay).
    pub fn plain(host: impl Into<String>, port: u16, from_email: impl Into<String>) -> Self {
        SmtpConfig {
            host: host.into(),
            port,
            security: SmtpSecurity::Plain,
            credentials: None,
            from_name: "Ärendeflöde".into(),
            from_email: from_email.into(),
            message_id_domain: "arende.invalid".into(),
            timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// The SMTP transport.
pub struct SmtpTransport {
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    config: SmtpConfig,
}

impl SmtpTransport {
    /// Sets up the transport (no connection is made until the first message).
    pub fn new(config: SmtpConfig) -> Result<Self, NotifyError> {
        let setup = |message: String| NotifyError::Setup {
            transport: "smtp",
            message,
        };
        let address: Address = config
            .from_email
            .parse()
            .map_err(|e| setup(format!("sender address \"{}\": {e}", config.from_email)))?;
        let from = Mailbox::new(Some(config.from_name.clone()), address);
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .timeout(Some(config.timeout));
        if config.security != SmtpSecurity::Plain {
            let params = TlsParameters::new(config.host.clone())
                .map_err(|e| setup(format!("TLS for \"{}\": {e}", config.host)))?;
            builder = builder.tls(match config.security {
                SmtpSecurity::Tls => Tls::Wrapper(params),
                _ => Tls::Required(params),
            });
        }
        if let Some((user, pass)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
        }
        Ok(SmtpTransport {
            mailer: builder.build(),
            from,
            config,
        })
    }

    /// The `Message-ID` of a message's rendering in `language` (the default language
    /// gets the plain id).
    pub fn message_id(&self, msg: &Outgoing, language: Language) -> String {
        let default = msg.primary().map(|r| r.language).unwrap_or_default();
        if language == default {
            format!("<{}@{}>", msg.id, self.config.message_id_domain)
        } else {
            format!(
                "<{}.{}@{}>",
                msg.id,
                language.code(),
                self.config.message_id_domain
            )
        }
    }

    /// Builds the e-mail for one rendering; `None` when none of its recipients has an
    /// address. Invalid addresses are returned separately.
    pub fn build(
        &self,
        msg: &Outgoing,
        rendering: &Rendering,
    ) -> Result<(Option<Message>, Vec<String>), DeliveryError> {
        let mut invalid = Vec::new();
        let mut to = Vec::new();
        for r in &rendering.recipients {
            let Some(email) = &r.email else { continue };
            match email.parse::<Address>() {
                Ok(a) => to.push(Mailbox::new(Some(r.name.clone()), a)),
                Err(e) => invalid.push(format!("{} <{email}>: {e}", r.name)),
            }
        }
        if to.is_empty() {
            return Ok((None, invalid));
        }
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(rendering.subject.clone())
            .message_id(Some(self.message_id(msg, rendering.language)))
            .date(std::time::SystemTime::from(msg.at))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str(IDEMPOTENCY_HEADER),
                msg.id.to_string(),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                rendering.language.code().to_owned(),
            ));
        for m in to {
            builder = builder.to(m);
        }
        let alternative =
            MultiPart::alternative_plain_html(rendering.text.clone(), rendering.html.clone());
        let invitation = if msg.notification.kind == NotificationKind::Notice {
            crate::ics::invitation(
                &msg.notification,
                (&self.config.from_name, &self.config.from_email),
                msg.at,
            )
        } else {
            None
        };
        let body = match invitation {
            Some(ics) => {
                let ct = ContentType::parse("text/calendar; method=REQUEST; charset=utf-8")
                    .map_err(|e| DeliveryError::permanent("smtp", e.to_string()))?;
                MultiPart::mixed()
                    .multipart(alternative)
                    .singlepart(Attachment::new("kallelse.ics".into()).body(ics, ct))
            }
            None => alternative,
        };
        let email = builder
            .multipart(body)
            .map_err(|e| DeliveryError::permanent("smtp", format!("cannot build e-mail: {e}")))?;
        Ok((Some(email), invalid))
    }
}

fn classify(e: lettre::transport::smtp::Error) -> DeliveryError {
    if e.is_permanent() {
        DeliveryError::permanent("smtp", format!("refused: {e}"))
    } else {
        DeliveryError::transient("smtp", e.to_string())
    }
}

impl Transport for SmtpTransport {
    fn name(&self) -> &'static str {
        "smtp"
    }

    fn deliver<'a>(&'a self, msg: &'a Outgoing) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let mut invalid = Vec::new();
            for rendering in &msg.renderings {
                let (email, bad) = self.build(msg, rendering)?;
                invalid.extend(bad);
                if let Some(email) = email {
                    self.mailer.send(email).await.map_err(classify)?;
                }
            }
            if invalid.is_empty() {
                Ok(())
            } else {
                // The others got it; these cannot be reached by retrying. Parking the
                // message makes the bad addresses visible to an operator.
                Err(DeliveryError::permanent(
                    "smtp",
                    format!("invalid address(es): {}", invalid.join("; ")),
                ))
            }
        })
    }
}
