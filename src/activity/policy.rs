//! Least-privilege policies from observed activity: the actions an identity actually called
//! (denied calls left out), as IAM action names, with resources narrowed to the ARNs its calls
//! named. Valid IAM policy JSON; a starting point for a task-scoped policy, to be reviewed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

/// The IAM service prefix for a CloudTrail event source prefix, where the two differ.
fn iam_service(service: &str) -> &str {
    match service {
        "monitoring" => "cloudwatch",
        "email" => "ses",
        "elasticmapreduce" => "elasticmapreduce",
        "signin" => "signin",
        other => other,
    }
}

/// The IAM action for a CloudTrail `service:EventName`, where they differ: Lambda's API
/// version suffixes (`UpdateFunctionCode20150331v2`), S3's `ListBuckets`
/// (`s3:ListAllMyBuckets`). `None` for events that are no IAM action (console sign-in).
pub fn iam_action(action: &str) -> Option<String> {
    let (service, name) = action.split_once(':')?;
    if service == "signin" || name.is_empty() {
        return None;
    }
    let service = iam_service(service);
    let name = if service == "lambda" {
        // Strip a trailing API date and version: 8 digits, then optionally `v` and digits.
        let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit());
        let trimmed = trimmed.strip_suffix('v').unwrap_or(trimmed);
        let digits = trimmed.len() - trimmed.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 8 {
            trimmed.trim_end_matches(|c: char| c.is_ascii_digit())
        } else {
            name
        }
    } else if service == "s3" && name == "ListBuckets" {
        "ListAllMyBuckets"
    } else {
        name
    };
    Some(format!("{service}:{name}"))
}

/// A policy from observed actions and, per action, the resources its calls named (`*` when
/// one named none).
pub fn from_actions<'a>(
    actions: impl IntoIterator<Item = (&'a str, Option<&'a [String]>)>,
) -> Value {
    // Resource set → actions: one statement per distinct resource set and service.
    let mut groups: BTreeMap<(String, Vec<String>), BTreeSet<String>> = BTreeMap::new();
    for (action, resources) in actions {
        let Some(a) = iam_action(action) else {
            continue;
        };
        let service = a.split_once(':').map_or("", |(s, _)| s).to_string();
        let res: Vec<String> = match resources {
            Some(r) if !r.is_empty() && !r.iter().any(|x| x == "*") => r.to_vec(),
            _ => vec!["*".to_string()],
        };
        groups.entry((service, res)).or_default().insert(a);
    }
    let statements: Vec<Value> = groups
        .into_iter()
        .map(|((service, res), actions)| {
            let sid: String = service
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            json!({
                "Sid": format!("Observed{}{}", sid.get(..1).map(str::to_ascii_uppercase).unwrap_or_default(), sid.get(1..).unwrap_or("")),
                "Effect": "Allow",
                "Action": actions.into_iter().collect::<Vec<_>>(),
                "Resource": match res.as_slice() {
                    [one] => json!(one),
                    _ => json!(res),
                },
            })
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The policy of an activity summary's observed actions.
pub fn least_privilege(a: &crate::model::ActivitySummary) -> Value {
    from_actions(
        a.actions
            .keys()
            .map(|k| (k.as_str(), a.resources.get(k).map(Vec::as_slice))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_become_iam_actions() {
        assert_eq!(
            iam_action("lambda:UpdateFunctionCode20150331v2").as_deref(),
            Some("lambda:UpdateFunctionCode")
        );
        assert_eq!(
            iam_action("lambda:Invoke").as_deref(),
            Some("lambda:Invoke")
        );
        assert_eq!(
            iam_action("s3:ListBuckets").as_deref(),
            Some("s3:ListAllMyBuckets")
        );
        assert_eq!(
            iam_action("monitoring:PutMetricData").as_deref(),
            Some("cloudwatch:PutMetricData")
        );
        assert_eq!(iam_action("signin:ConsoleLogin"), None);
    }

    #[test]
    fn resources_are_narrowed_where_every_call_named_them() {
        let arn = vec!["arn:aws:s3:::reports/q3.csv".to_string()];
        let star = vec!["*".to_string()];
        let p = from_actions([
            ("s3:GetObject", Some(arn.as_slice())),
            ("s3:ListBuckets", Some(star.as_slice())),
            ("sts:GetCallerIdentity", None),
        ]);
        let doc = crate::policy::PolicyDocument::from_value(&p).unwrap();
        assert_eq!(doc.statement.len(), 3);
        let get = doc
            .statement
            .iter()
            .find(|s| s.action == ["s3:GetObject"])
            .unwrap();
        assert_eq!(get.resource, ["arn:aws:s3:::reports/q3.csv"]);
        assert!(
            doc.statement
                .iter()
                .any(|s| s.action == ["s3:ListAllMyBuckets"] && s.resource == ["*"])
        );
    }
}
