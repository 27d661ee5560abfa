
use builtin;
use str;

set edit:completion:arg-completer[nhi] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'nhi'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'nhi'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand scan 'Discover identities from the given sources, attribute them, and report their defects'
            cand report 'Re-render a saved JSON report, re-evaluating the rules with the current configuration and --as-of (scan once, report many ways)'
            cand diff 'Compare two JSON reports: identities added and removed, owners changed, credentials rotated, findings new and resolved. Exits 1 on new findings at or above --fail-on'
            cand trail 'One identity''s timeline across the activity logs, oldest first, with its chains drawn (a web-identity subject → AssumeRoleWithWebIdentity → the session''s calls)'
            cand evidence 'Collect evidence to scan later (an auditor collects once, analyses offline)'
            cand rules 'List the rules, or explain one'
            cand connectors 'List the SaaS connector manifests, or check one offline against its recorded examples'
            cand init 'Write a commented starter nhi.yaml'
            cand completions 'Print shell completions'
            cand schema 'Print the JSON Schema of the JSON report'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nhi;scan'= {
            cand --aws-evidence 'AWS evidence: a file or directory of `aws iam get-account-authorization-details` output and credential reports (CSV or get-credential-report JSON). Repeatable'
            cand --activity 'Activity logs: a file or directory of CloudTrail logs (the S3 delivery''s gzip objects, JSON, JSON Lines, or `aws cloudtrail lookup-events` output), GitHub organisation audit logs, Entra ID sign-in logs, Okta System Log events, Google Workspace Reports API activities, Slack audit logs or GitLab audit events, recognised by content. Each event is joined to the identity and credential that acted. Repeatable'
            cand --aws-profile 'Use this profile of the shared AWS config instead of the default chain'
            cand --aws-role-arn 'Scan the account behind this role, through STS AssumeRole. Repeatable. Alone, only these accounts are scanned; with --aws, these as well'
            cand --repo 'Scan a repository (or any directory) for leaked credentials. Repeatable'
            cand --secret-rules 'Extra secret-detection rules (YAML, the format of data/secret-rules/). Repeatable'
            cand --github 'Scan a GitHub organisation''s machine credentials. Repeatable'
            cand --github-api-url 'GitHub API URL (Enterprise Server: https://HOST/api/v3)'
            cand --github-max-requests 'Stop after this many GitHub requests (very large organisations); what was not read is in the coverage section'
            cand --connector 'Run a SaaS connector: a built-in one by id (entra-id, google-workspace, slack, okta, gitlab) or a manifest file. Inputs come from `connectors.ID` in nhi.yaml. Repeatable'
            cand --config 'Configuration file [default: ./nhi.yaml when present]'
            cand --as-of 'The scan clock for every age rule: YYYY-MM-DD (midnight UTC) or an RFC 3339 time [default: now]'
            cand -f 'Output format [default: table when stdout is a terminal, json otherwise]'
            cand --format 'Output format [default: table when stdout is a terminal, json otherwise]'
            cand -o 'Write the report to FILE instead of stdout'
            cand --output 'Write the report to FILE instead of stdout'
            cand --fail-on 'Exit with code 1 when an unsuppressed finding is at or above this severity (critical, high, medium, low, info, or never)'
            cand --baseline 'An earlier JSON report: findings with a fingerprint found in it are marked `known`, the others `new`'
            cand --aws 'Scan AWS live: the accounts in `aws.accounts` of nhi.yaml, or else the account of the current credentials'
            cand --aws-access-key-ids 'Also list access-key ids (one ListAccessKeys call per user with keys), which the credential report lacks, so leaked keys can be matched to their identity'
            cand --history 'With --repo: also every blob of the git history (all refs), each once'
            cand --all-files 'With --repo: include files that .gitignore excludes'
            cand --csv-identities 'With --format csv: one row per identity (the inventory) instead of one per finding'
            cand --fail-on-new 'Apply --fail-on to new findings only (those not in --baseline)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nhi;report'= {
            cand --config 'Configuration file [default: ./nhi.yaml when present]'
            cand --as-of 'The scan clock for every age rule: YYYY-MM-DD (midnight UTC) or an RFC 3339 time [default: now]'
            cand -f 'Output format [default: table when stdout is a terminal, json otherwise]'
            cand --format 'Output format [default: table when stdout is a terminal, json otherwise]'
            cand -o 'Write the report to FILE instead of stdout'
            cand --output 'Write the report to FILE instead of stdout'
            cand --fail-on 'Exit with code 1 when an unsuppressed finding is at or above this severity (critical, high, medium, low, info, or never)'
            cand --baseline 'An earlier JSON report: findings with a fingerprint found in it are marked `known`, the others `new`'
            cand --csv-identities 'With --format csv: one row per identity (the inventory) instead of one per finding'
            cand --fail-on-new 'Apply --fail-on to new findings only (those not in --baseline)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nhi;diff'= {
            cand -f 'Output format [default: table when stdout is a terminal, json otherwise]'
            cand --format 'Output format [default: table when stdout is a terminal, json otherwise]'
            cand -o 'Write the diff to FILE instead of stdout'
            cand --output 'Write the diff to FILE instead of stdout'
            cand --fail-on 'Exit with code 1 when a new unsuppressed finding is at or above this severity (critical, high, medium, low, info, or never)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nhi;trail'= {
            cand --activity 'Activity logs, as `nhi scan --activity` reads them. Repeatable; at least one'
            cand --since 'Only events at or after this time (YYYY-MM-DD or RFC 3339)'
            cand --until 'Only events at or before this time (YYYY-MM-DD or RFC 3339)'
            cand -f 'Output format [default: table when stdout is a terminal, json otherwise]'
            cand --format 'Output format [default: table when stdout is a terminal, json otherwise]'
            cand --policy 'Print instead a least-privilege IAM policy of the actions the trail''s calls used (denied calls left out; resources narrowed where every call named them)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nhi;evidence'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand aws 'Write each AWS account''s authorization details and credential report (and key ids and alias) to DIR/ACCOUNT/, in the shapes `nhi scan --aws-evidence` reads'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nhi;evidence;aws'= {
            cand --out 'The directory to write to (created if missing)'
            cand --aws-profile 'Use this profile of the shared AWS config instead of the default chain'
            cand --aws-role-arn 'Scan the account behind this role, through STS AssumeRole. Repeatable. Alone, only these accounts are scanned; with --aws, these as well'
            cand --config 'Configuration file [default: ./nhi.yaml when present]'
            cand --aws 'Scan AWS live: the accounts in `aws.accounts` of nhi.yaml, or else the account of the current credentials'
            cand --aws-access-key-ids 'Also list access-key ids (one ListAccessKeys call per user with keys), which the credential report lacks, so leaked keys can be matched to their identity'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'nhi;evidence;help'= {
            cand aws 'Write each AWS account''s authorization details and credential report (and key ids and alias) to DIR/ACCOUNT/, in the shapes `nhi scan --aws-evidence` reads'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nhi;evidence;help;aws'= {
        }
        &'nhi;evidence;help;help'= {
        }
        &'nhi;rules'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List every rule with its default severity and controls'
            cand explain 'Print a rule''s explanation, fix and control mappings'
            cand check-secrets 'Check the secret-detection rules: every example must match, every negative example must not. Exits 1 when one fails'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nhi;rules;list'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'nhi;rules;explain'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'nhi;rules;check-secrets'= {
            cand --secret-rules 'Extra rule files to check with the built-in ones'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'nhi;rules;help'= {
            cand list 'List every rule with its default severity and controls'
            cand explain 'Print a rule''s explanation, fix and control mappings'
            cand check-secrets 'Check the secret-detection rules: every example must match, every negative example must not. Exits 1 when one fails'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nhi;rules;help;list'= {
        }
        &'nhi;rules;help;explain'= {
        }
        &'nhi;rules;help;check-secrets'= {
        }
        &'nhi;rules;help;help'= {
        }
        &'nhi;connectors'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List the built-in connectors (and any manifest files given) with their streams, authentication and inputs'
            cand check 'Validate manifests and run each against a loopback server answering with its recorded examples (offline). Exits 1 when an example does not yield the expected identities, 2 when a manifest is invalid. Without arguments: every built-in one'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nhi;connectors;list'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'nhi;connectors;check'= {
            cand --print 'Also print what each run emitted (identities and credentials, as JSON): a start for a new manifest''s `expect` list'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'nhi;connectors;help'= {
            cand list 'List the built-in connectors (and any manifest files given) with their streams, authentication and inputs'
            cand check 'Validate manifests and run each against a loopback server answering with its recorded examples (offline). Exits 1 when an example does not yield the expected identities, 2 when a manifest is invalid. Without arguments: every built-in one'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nhi;connectors;help;list'= {
        }
        &'nhi;connectors;help;check'= {
        }
        &'nhi;connectors;help;help'= {
        }
        &'nhi;init'= {
            cand --force 'Overwrite an existing file'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'nhi;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'nhi;schema'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'nhi;help'= {
            cand scan 'Discover identities from the given sources, attribute them, and report their defects'
            cand report 'Re-render a saved JSON report, re-evaluating the rules with the current configuration and --as-of (scan once, report many ways)'
            cand diff 'Compare two JSON reports: identities added and removed, owners changed, credentials rotated, findings new and resolved. Exits 1 on new findings at or above --fail-on'
            cand trail 'One identity''s timeline across the activity logs, oldest first, with its chains drawn (a web-identity subject → AssumeRoleWithWebIdentity → the session''s calls)'
            cand evidence 'Collect evidence to scan later (an auditor collects once, analyses offline)'
            cand rules 'List the rules, or explain one'
            cand connectors 'List the SaaS connector manifests, or check one offline against its recorded examples'
            cand init 'Write a commented starter nhi.yaml'
            cand completions 'Print shell completions'
            cand schema 'Print the JSON Schema of the JSON report'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nhi;help;scan'= {
        }
        &'nhi;help;report'= {
        }
        &'nhi;help;diff'= {
        }
        &'nhi;help;trail'= {
        }
        &'nhi;help;evidence'= {
            cand aws 'Write each AWS account''s authorization details and credential report (and key ids and alias) to DIR/ACCOUNT/, in the shapes `nhi scan --aws-evidence` reads'
        }
        &'nhi;help;evidence;aws'= {
        }
        &'nhi;help;rules'= {
            cand list 'List every rule with its default severity and controls'
            cand explain 'Print a rule''s explanation, fix and control mappings'
            cand check-secrets 'Check the secret-detection rules: every example must match, every negative example must not. Exits 1 when one fails'
        }
        &'nhi;help;rules;list'= {
        }
        &'nhi;help;rules;explain'= {
        }
        &'nhi;help;rules;check-secrets'= {
        }
        &'nhi;help;connectors'= {
            cand list 'List the built-in connectors (and any manifest files given) with their streams, authentication and inputs'
            cand check 'Validate manifests and run each against a loopback server answering with its recorded examples (offline). Exits 1 when an example does not yield the expected identities, 2 when a manifest is invalid. Without arguments: every built-in one'
        }
        &'nhi;help;connectors;list'= {
        }
        &'nhi;help;connectors;check'= {
        }
        &'nhi;help;init'= {
        }
        &'nhi;help;completions'= {
        }
        &'nhi;help;schema'= {
        }
        &'nhi;help;help'= {
        }
    ]
    $completions[$command]
}
