//! The channel protocols of `pods/exec`, `pods/attach` and `pods/portforward` over WebSocket,
//! as pure functions: names, frames and the error channel's verdict.
//!
//! Every binary WebSocket message is one frame: its first byte names the channel (0 stdin,
//! 1 stdout, 2 stderr, 3 error, 4 resize), the rest is that channel's bytes. The versions:
//!
//! | protocol | adds |
//! |---|---|
//! | `channel.k8s.io` (v1) | the channels; the error channel carries plain text |
//! | `v2.channel.k8s.io` | one stdout/stderr per stream, as v1 |
//! | `v3.channel.k8s.io` | the resize channel (JSON `{"Width":W,"Height":H}`) |
//! | `v4.channel.k8s.io` | the error channel carries a JSON `metav1.Status`; a non-zero exit is `reason: NonZeroExitCode` with a cause `ExitCode` whose message is the code |
//! | `v5.channel.k8s.io` | the close signal: a frame `[255, channel]` says that channel has no more data (half-close of stdin) |
//!
//! The base64 variants (text frames, `base64.channel.k8s.io`) are not offered. Port-forward
//! speaks `v4.channel.k8s.io` framing with two channels per port (data `2i`, error `2i+1`),
//! each channel's first frame starting with the port as a little-endian `u16`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;

/// The stdin channel.
pub(crate) const STDIN: u8 = 0;
/// The stdout channel.
pub(crate) const STDOUT: u8 = 1;
/// The stderr channel.
pub(crate) const STDERR: u8 = 2;
/// The error channel: the session's verdict.
pub(crate) const ERROR: u8 = 3;
/// The terminal resize channel (v3 and later).
pub(crate) const RESIZE: u8 = 4;
/// The close signal (v5): `[CLOSE, channel]`.
pub(crate) const CLOSE: u8 = 255;

/// The WebSocket subprotocol port-forward offers.
pub(crate) const PORT_FORWARD_PROTOCOL: &str = "v4.channel.k8s.io";

/// A channel protocol an exec or attach session speaks, newest first.
///
/// ```
/// use kubeset_clientset::ChannelProtocol;
///
/// assert_eq!(ChannelProtocol::V5.name(), "v5.channel.k8s.io");
/// assert_eq!(ChannelProtocol::from_name("channel.k8s.io"), Some(ChannelProtocol::V1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChannelProtocol {
    /// `v5.channel.k8s.io`: v4 plus the close signal (stdin can be half-closed).
    V5,
    /// `v4.channel.k8s.io`: the exit status as a JSON `Status` on the error channel.
    V4,
    /// `v3.channel.k8s.io`: the resize channel.
    V3,
    /// `v2.channel.k8s.io`.
    V2,
    /// `channel.k8s.io`.
    V1,
}

impl ChannelProtocol {
    /// Every protocol, in the order they are offered (newest first).
    pub const ALL: [ChannelProtocol; 5] = [Self::V5, Self::V4, Self::V3, Self::V2, Self::V1];

    /// The `Sec-WebSocket-Protocol` name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::V5 => "v5.channel.k8s.io",
            Self::V4 => "v4.channel.k8s.io",
            Self::V3 => "v3.channel.k8s.io",
            Self::V2 => "v2.channel.k8s.io",
            Self::V1 => "channel.k8s.io",
        }
    }

    /// The protocol of a `Sec-WebSocket-Protocol` name, `None` for others.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether stdin can be half-closed (the close signal).
    pub fn supports_close(self) -> bool {
        self == Self::V5
    }

    /// Whether the terminal can be resized.
    pub fn supports_resize(self) -> bool {
        matches!(self, Self::V5 | Self::V4 | Self::V3)
    }

    /// Whether the error channel carries a JSON `Status` (with the exit code).
    pub(crate) fn status_is_json(self) -> bool {
        matches!(self, Self::V5 | Self::V4)
    }
}

impl std::fmt::Display for ChannelProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How a remote command ended: its exit code.
///
/// A command that exits non-zero is an `ExitStatus`, not an error: errors are for sessions that
/// failed (the container is gone, the connection broke).
///
/// ```
/// # fn demo(status: kubeset_clientset::ExitStatus) {
/// if !status.success() {
///     eprintln!("command terminated with exit code {}", status.code());
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExitStatus {
    code: i32,
}

impl ExitStatus {
    /// An exit status with this code.
    pub const fn from_code(code: i32) -> Self {
        Self { code }
    }

    /// The exit code (0 for success).
    pub const fn code(self) -> i32 {
        self.code
    }

    /// Whether the code is 0.
    pub const fn success(self) -> bool {
        self.code == 0
    }
}

impl std::fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit code {}", self.code)
    }
}

/// What the error channel said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The command ended with this status.
    Exit(ExitStatus),
    /// The session failed (not an exit code): the server's message and reason.
    Failure {
        /// The message.
        message: String,
        /// The `Status` reason, when there was one.
        reason: Option<String>,
    },
}

/// Reads the error channel's bytes (all frames of it, joined) under `protocol`.
///
/// No bytes at all is success: v1-v3 servers send nothing when the command succeeded.
pub(crate) fn verdict(protocol: ChannelProtocol, bytes: &[u8]) -> Verdict {
    if bytes.is_empty() {
        return Verdict::Exit(ExitStatus::from_code(0));
    }
    if !protocol.status_is_json() {
        return Verdict::Failure {
            message: String::from_utf8_lossy(bytes).trim().to_owned(),
            reason: None,
        };
    }
    let status = match serde_json::from_slice::<Status>(bytes) {
        Ok(status) => status,
        Err(_) => {
            return Verdict::Failure {
                message: String::from_utf8_lossy(bytes).trim().to_owned(),
                reason: None,
            };
        }
    };
    if status.status.as_deref() == Some("Success") {
        return Verdict::Exit(ExitStatus::from_code(0));
    }
    if status.reason.as_deref() == Some("NonZeroExitCode") {
        let code = status
            .details
            .as_ref()
            .and_then(|d| d.causes.as_ref())
            .into_iter()
            .flatten()
            .find(|c| c.reason.as_deref() == Some("ExitCode"))
            .and_then(|c| c.message.as_deref())
            .and_then(|m| m.trim().parse::<i32>().ok());
        if let Some(code) = code {
            return Verdict::Exit(ExitStatus::from_code(code));
        }
    }
    Verdict::Failure {
        message: status.message.unwrap_or_default(),
        reason: status.reason,
    }
}

/// One frame: the channel byte, then `data`.
pub(crate) fn frame(channel: u8, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 1);
    out.push(channel);
    out.extend_from_slice(data);
    out
}

/// A terminal's size in characters, sent on the resize channel.
///
/// ```
/// let size = kubeset_clientset::TerminalSize { width: 120, height: 40 };
/// # let _ = size;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminalSize {
    /// Columns.
    pub width: u16,
    /// Rows.
    pub height: u16,
}

/// The resize frame for `size`.
pub(crate) fn resize_frame(size: TerminalSize) -> Vec<u8> {
    let mut out = vec![RESIZE];
    out.extend_from_slice(
        format!(r#"{{"Width":{},"Height":{}}}"#, size.width, size.height).as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(protocol: ChannelProtocol, bytes: &str, expected: Verdict) {
        assert_eq!(verdict(protocol, bytes.as_bytes()), expected, "{bytes}");
    }

    fn exit(code: i32) -> Verdict {
        Verdict::Exit(ExitStatus::from_code(code))
    }

    #[test]
    fn error_channel_verdicts() {
        let v4 = ChannelProtocol::V4;
        check(v4, r#"{"metadata":{},"status":"Success"}"#, exit(0));
        check(
            ChannelProtocol::V5,
            r#"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#,
            exit(3),
        );
        check(
            v4,
            r#"{"metadata":{},"status":"Failure","message":"container not found (\"app\")","reason":"InternalError"}"#,
            Verdict::Failure {
                message: "container not found (\"app\")".into(),
                reason: Some("InternalError".into()),
            },
        );
        // an exit-code reason without a readable code is a failure, not exit 0
        check(
            v4,
            r#"{"status":"Failure","message":"m","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"x"}]}}"#,
            Verdict::Failure {
                message: "m".into(),
                reason: Some("NonZeroExitCode".into()),
            },
        );
        check(v4, "", exit(0));
        check(
            ChannelProtocol::V3,
            "command terminated\n",
            Verdict::Failure {
                message: "command terminated".into(),
                reason: None,
            },
        );
        check(
            v4,
            "not json",
            Verdict::Failure {
                message: "not json".into(),
                reason: None,
            },
        );
    }

    #[test]
    fn names_round_trip_and_frames() {
        for p in ChannelProtocol::ALL {
            assert_eq!(ChannelProtocol::from_name(p.name()), Some(p));
        }
        assert_eq!(ChannelProtocol::from_name("v4.base64.channel.k8s.io"), None);
        assert_eq!(frame(STDIN, b"hi"), b"\0hi");
        assert_eq!(
            resize_frame(TerminalSize {
                width: 80,
                height: 24
            }),
            b"\x04{\"Width\":80,\"Height\":24}"
        );
        assert!(ChannelProtocol::V5.supports_close() && !ChannelProtocol::V4.supports_close());
        assert!(ChannelProtocol::V3.supports_resize() && !ChannelProtocol::V2.supports_resize());
    }
}
