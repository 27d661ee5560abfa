//! AWS IAM: offline evidence files today; the live connector reads the same two documents
//! (authorization details and the credential report) and feeds the same builder.

pub mod build;
pub mod evidence;
pub mod fallback;
pub mod live;
pub mod managed;
pub mod privileges;
pub mod raw;

/// The account id in an ARN (`arn:aws:iam::123456789012:user/x` → `123456789012`).
pub fn account_of_arn(arn: &str) -> Option<&str> {
    let acct = arn.split(':').nth(4)?;
    (acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())).then_some(acct)
}

/// The stable identity id for an ARN in an account: `aws:iam::ACCOUNT:` and the ARN's resource
/// part (`arn:aws:iam::123456789012:user/ci/deploy` → `aws:iam::123456789012:user/ci/deploy`).
/// The account is the one the evidence belongs to, so sanitised ARNs still get a real one.
pub fn identity_id(account: &str, arn: &str) -> String {
    let resource = if arn.starts_with("arn:") {
        arn.splitn(6, ':').nth(5).unwrap_or(arn)
    } else {
        arn
    };
    format!("aws:iam::{account}:{resource}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_accounts() {
        assert_eq!(
            identity_id("123456789012", "arn:aws:iam::123456789012:user/deploy-bot"),
            "aws:iam::123456789012:user/deploy-bot"
        );
        assert_eq!(
            identity_id("123456789012", "arn:aws-cn:iam::aws:user/x"),
            "aws:iam::123456789012:user/x"
        );
        assert_eq!(
            account_of_arn("arn:aws:iam::123456789012:role/x"),
            Some("123456789012")
        );
        assert_eq!(account_of_arn("arn:aws:iam::aws:policy/x"), None);
    }
}
