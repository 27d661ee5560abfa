//! `nhi scan --activity` over generated CloudTrail S3 objects: wall time and peak memory, and,
//! when a Python with DuckDB is given, DuckDB computing the same per-identity aggregation over
//! the same files in the same run.
//!
//! The events are generated here from CloudTrail's documented record fields: IAM users with
//! long-term keys, role sessions with temporary keys (hourly sessions), instance-profile
//! sessions, AWS service events, 3% denied calls, each identity calling from its own few
//! networks with its own client (one call in fifty from anywhere), and the field set and sizes
//! of real management events (about 1.1 KB each). Files hold 2,000 events, gzip'd, under
//! the delivery key layout.
//!
//! `NHI_BENCH_EVENTS` (default 10,000,000), `NHI_BENCH_DIR` (reuse generated files),
//! `NHI_DUCKDB_PYTHON` (a python with the duckdb package).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const PER_FILE: usize = 2_000;
const ACCOUNT: &str = "111122223333";
const NAMES: &[(&str, &str, bool)] = &[
    ("s3", "GetObject", true),
    ("s3", "PutObject", false),
    ("s3", "ListBuckets", true),
    ("ec2", "DescribeInstances", true),
    ("ec2", "RunInstances", false),
    ("iam", "ListUsers", true),
    ("iam", "GetRole", true),
    ("sts", "GetCallerIdentity", true),
    ("lambda", "Invoke", false),
    ("dynamodb", "DescribeTable", true),
    ("kms", "Decrypt", true),
    ("secretsmanager", "GetSecretValue", true),
    ("logs", "PutLogEvents", false),
    ("ssm", "GetParameter", true),
    ("cloudformation", "DescribeStacks", true),
];
const AGENTS: &[&str] = &[
    "aws-sdk-go-v2/1.17.0 os/linux lang/go/1.20 md/GOOS/linux md/GOARCH/amd64 api/s3/1.30.0",
    "Boto3/1.28.0 md/Botocore#1.31.0 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11",
    "aws-cli/2.13.0 Python/3.11.4 Linux/5.10 exe/x86_64.amzn.2 prompt/off command/s3.ls",
    "APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/5.20.0",
    "aws-sdk-java/2.20.0 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.8 Java/17.0.8 vendor/Amazon.com_Inc.",
];

/// A small deterministic generator (xorshift), so every run writes the same files.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn key(prefix: &str, n: u64) -> String {
    format!("{prefix}EXAMPLE{n:013}")
}

fn record(r: &mut Rng, ix: u64) -> String {
    let t = 1_767_225_600 + ix / 4; // 2026-01-01, four events a second
    let time = chrono::DateTime::from_timestamp(t as i64, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ");
    let (svc, name, read_only) = NAMES[r.below(NAMES.len() as u64) as usize];
    let kind = r.below(100);
    // Each identity calls from its own few networks with its own client, as workloads and
    // pipelines do; one call in fifty comes from anywhere.
    let who = r.below(500);
    let agent = AGENTS[(who % AGENTS.len() as u64) as usize];
    let ip = if r.below(50) == 0 {
        format!("203.0.{}.{}", r.below(100), r.below(250))
    } else {
        format!("198.51.{}.{}", who % 4, (who * 7 + r.below(3)) % 250)
    };
    let identity = if kind < 45 {
        let u = r.below(200);
        format!(
            r#"{{"type":"IAMUser","principalId":"AIDAEXAMPLE{u:09}","arn":"arn:aws:iam::{ACCOUNT}:user/svc-{u}","accountId":"{ACCOUNT}","accessKeyId":"{}","userName":"svc-{u}"}}"#,
            key("AKIA", u)
        )
    } else if kind < 95 {
        let role = r.below(300);
        // Sessions rotate hourly: a day of them per role.
        let session = r.below(24);
        let instance = role < 30;
        let name = if instance {
            format!("i-0{session:015x}")
        } else {
            format!("session-{session}")
        };
        format!(
            r#"{{"type":"AssumedRole","principalId":"AROAEXAMPLE{role:09}:{name}","arn":"arn:aws:sts::{ACCOUNT}:assumed-role/app-{role}/{name}","accountId":"{ACCOUNT}","accessKeyId":"{}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROAEXAMPLE{role:09}","arn":"arn:aws:iam::{ACCOUNT}:role/app-{role}","accountId":"{ACCOUNT}","userName":"app-{role}"}},"webIdFederationData":{{}},"attributes":{{"creationDate":"{time}","mfaAuthenticated":"false"}}{}}}}}"#,
            key("ASIA", role * 10_000 + session),
            if instance {
                r#","ec2RoleDelivery":"2.0""#
            } else {
                ""
            }
        )
    } else {
        r#"{"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"}"#.to_string()
    };
    let error = if r.below(100) < 3 {
        r#","errorCode":"AccessDenied","errorMessage":"User is not authorized to perform this operation""#
    } else {
        ""
    };
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{identity},"eventTime":"{time}","eventSource":"{svc}.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"{ip}","userAgent":"{agent}"{error},"requestParameters":{{"bucketName":"data-{b}","key":"reports/{ix}.csv","maxResults":100}},"responseElements":null,"requestID":"{ix:08X}-0000-4000-8000-{ix:012X}","eventID":"{ix:08x}-1111-4000-8000-{ix:012x}","readOnly":{read_only},"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{ACCOUNT}","eventCategory":"Management","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"{svc}.us-east-1.amazonaws.com"}}}}"#,
        b = r.below(20)
    )
}

fn generate(dir: &Path, events: usize) -> u64 {
    let day = dir.join(format!("AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/01/01"));
    std::fs::create_dir_all(&day).unwrap();
    let mut r = Rng(0x5eed_1234_abcd_ef01);
    let mut raw = 0u64;
    let files = events.div_ceil(PER_FILE);
    for f in 0..files {
        let mut body = String::with_capacity(PER_FILE * 1_400);
        body.push_str(r#"{"Records":["#);
        let from = f * PER_FILE;
        for ix in from..(from + PER_FILE).min(events) {
            if ix > from {
                body.push(',');
            }
            body.push_str(&record(&mut r, ix as u64));
        }
        body.push_str("]}");
        raw += body.len() as u64;
        let path = day.join(format!(
            "{ACCOUNT}_CloudTrail_us-east-1_20260101T0000Z_{f:06}.json.gz"
        ));
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(path).unwrap(),
            flate2::Compression::new(6),
        );
        gz.write_all(body.as_bytes()).unwrap();
        gz.finish().unwrap();
    }
    raw
}

/// Runs a command under GNU time; (wall seconds, peak RSS in MB).
fn measure(cmd: &mut Command) -> (f64, f64, String) {
    let rss = tempfile::NamedTempFile::new().unwrap();
    let start = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(rss.path())
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .output()
        .expect("runs");
    let wall = start.elapsed().as_secs_f64();
    assert!(
        out.status.success() || out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kb: f64 = std::fs::read_to_string(rss.path())
        .unwrap()
        .lines()
        .last()
        .unwrap_or("0")
        .trim()
        .parse()
        .unwrap_or(0.0);
    (
        wall,
        kb / 1024.0,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

const DUCKDB: &str = r#"
import sys, duckdb
glob = sys.argv[1] + "/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz"
con = duckdb.connect()
con.execute("SET threads TO 2")
con.execute("SET enable_progress_bar = false")
rows = con.execute(f"""
  WITH r AS (
    SELECT unnest(Records, max_depth := 2) FROM read_json('{glob}',
      columns = {{'Records': 'STRUCT(eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR,
        sourceIPAddress VARCHAR, userAgent VARCHAR, errorCode VARCHAR,
        userIdentity STRUCT(type VARCHAR, arn VARCHAR, accessKeyId VARCHAR,
          sessionContext STRUCT(sessionIssuer STRUCT(arn VARCHAR))))[]'}},
      format = 'unstructured', compression = 'gzip', maximum_object_size = 536870912)
  )
  SELECT coalesce(userIdentity.sessionContext.sessionIssuer.arn, userIdentity.arn) AS who,
         count(*) AS events, min(eventTime), max(eventTime),
         count(DISTINCT eventSource), count(DISTINCT eventName),
         count(DISTINCT sourceIPAddress), count(DISTINCT userAgent),
         count(DISTINCT userIdentity.accessKeyId),
         count(*) FILTER (WHERE errorCode = 'AccessDenied')
  FROM r WHERE userIdentity.type IN ('IAMUser', 'AssumedRole') GROUP BY who
""").fetchall()
print(len(rows), sum(r[1] for r in rows))
"#;

fn main() {
    let events: usize = std::env::var("NHI_BENCH_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let keep = std::env::var_os("NHI_BENCH_DIR").map(PathBuf::from);
    let tmp = tempfile::tempdir().unwrap();
    let dir = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let marker = dir.join(format!(".generated-{events}"));
    if !marker.exists() {
        let t = Instant::now();
        let raw = generate(&dir, events);
        std::fs::write(&marker, raw.to_string()).unwrap();
        println!(
            "generated {events} events in {} files ({:.1} GB of JSON) in {:.1} s",
            events.div_ceil(PER_FILE),
            raw as f64 / 1e9,
            t.elapsed().as_secs_f64()
        );
    }
    let (wall, rss, stdout) = measure(
        Command::new(env!("CARGO_BIN_EXE_nhi"))
            .args(["scan", "--activity"])
            .arg(&dir)
            .args([
                "-f",
                "json",
                "--fail-on",
                "never",
                "--quiet",
                "--as-of",
                "2026-02-01",
            ]),
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    let read = v["coverage"][0]["read"][0]
        .as_str()
        .unwrap_or("")
        .to_string();
    println!("tool      wall (s)  peak RSS (MB)");
    println!("nhi       {wall:8.1}  {rss:13.0}   {read}");
    if let Some(py) = std::env::var_os("NHI_DUCKDB_PYTHON") {
        let (dw, drss, out) = measure(Command::new(py).arg("-c").arg(DUCKDB).arg(&dir));
        println!(
            "duckdb    {dw:8.1}  {drss:13.0}   {} identities, events: {}",
            out.split_whitespace().next().unwrap_or("?"),
            out.split_whitespace().nth(1).unwrap_or("?")
        );
        println!(
            "targets: nhi <= 60 s ({}), <= 500 MB ({}), faster than DuckDB ({:.2}x)",
            if wall <= 60.0 { "met" } else { "MISSED" },
            if rss <= 500.0 { "met" } else { "MISSED" },
            dw / wall
        );
    } else {
        println!(
            "targets: nhi <= 60 s ({}), <= 500 MB ({}); set NHI_DUCKDB_PYTHON for the DuckDB comparison",
            if wall <= 60.0 { "met" } else { "MISSED" },
            if rss <= 500.0 { "met" } else { "MISSED" }
        );
    }
}
