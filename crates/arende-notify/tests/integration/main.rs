//! Integration tests of arende-notify against real servers (one test binary).
