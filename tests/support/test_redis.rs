//! A Redis for the tests of the fleet features: CI's (`SCALEXPERT_TEST_REDIS_URL`) or a
//! `redis-server` started on a free loopback port for one test (which may stop and restart it).
//! Without either the tests say why they skip, unless `SCALEXPERT_REQUIRE_REDIS=1` makes that
//! a failure.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A Redis to test against.
pub struct TestRedis {
    pub url: String,
    port: u16,
    /// The server started for this test, killed on drop (also when the test panics).
    server: Option<(Child, tempfile::TempDir)>,
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

fn redis_server_binary() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([
            "/usr/bin".into(),
            "/usr/sbin".into(),
            "/usr/local/bin".into(),
        ])
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
}

fn skip_or_fail(what: &str) -> Option<TestRedis> {
    let required = std::env::var("SCALEXPERT_REQUIRE_REDIS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "SCALEXPERT_REQUIRE_REDIS=1 but redis-server is not installed ({what})"
    );
    eprintln!(
        "SKIPPED: redis-server not found (install it, or set SCALEXPERT_TEST_REDIS_URL); {what} was not tested (SCALEXPERT_REQUIRE_REDIS=1 makes this a failure)"
    );
    None
}

/// CI's Redis when set, else one of this test's own.
pub async fn shared_or_own(what: &str) -> Option<TestRedis> {
    if let Ok(url) = std::env::var("SCALEXPERT_TEST_REDIS_URL") {
        if !url.is_empty() {
            return Some(TestRedis {
                url,
                port: 0,
                server: None,
            });
        }
    }
    own(what).await
}

/// A redis-server of this test alone, which it may stop and start again.
pub async fn own(what: &str) -> Option<TestRedis> {
    if redis_server_binary().is_none() {
        return skip_or_fail(what);
    }
    // Port 0 is no option for redis-server: take a free port from the kernel, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut redis = TestRedis {
        url: format!("redis://127.0.0.1:{port}"),
        port,
        server: None,
    };
    redis.start().await;
    Some(redis)
}

impl TestRedis {
    /// Starts (again) the server of this test on its port; `false` without a binary.
    pub async fn start(&mut self) -> bool {
        let Some(binary) = redis_server_binary() else {
            return false;
        };
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.server = Some((child, dir));
        // Ready once it answers PING (bounded: a server that never comes up fails the test).
        for _ in 0..200 {
            if self.ping().await {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("redis-server did not answer on {}", self.url);
    }

    /// Stops the server of this test (nothing for CI's).
    pub fn stop(&mut self) {
        if let Some((mut child, _dir)) = self.server.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub async fn ping(&self) -> bool {
        let Ok(client) = redis::Client::open(self.url.as_str()) else {
            return false;
        };
        let Ok(mut connection) = client.get_multiplexed_async_connection().await else {
            return false;
        };
        let pong: redis::RedisResult<String> =
            redis::cmd("PING").query_async(&mut connection).await;
        pong.is_ok()
    }

    /// A connection for the test's own looks at Redis.
    pub async fn connection(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url.as_str())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }
}
