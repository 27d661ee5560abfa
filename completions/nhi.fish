# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_nhi_global_optspecs
    string join \n h/help V/version
end

function __fish_nhi_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_nhi_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_nhi_using_subcommand
    set -l cmd (__fish_nhi_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c nhi -n "__fish_nhi_needs_command" -s h -l help -d 'Print help'
complete -c nhi -n "__fish_nhi_needs_command" -s V -l version -d 'Print version'
complete -c nhi -n "__fish_nhi_needs_command" -f -a "scan" -d 'Discover identities from the given sources, attribute them, and report their defects'
complete -c nhi -n "__fish_nhi_needs_command" -f -a "report" -d 'Re-render a saved JSON report, re-evaluating the rules with the current configuration and --as-of (scan once, report many ways)'
complete -c nhi -n "__fish_nhi_needs_command" -f -a "diff" -d 'Compare two JSON reports: identities added and removed, owners changed, credentials rotated, findings new and resolved. Exits 1 on new findings at or above --fail-on'
complete -c nhi -n "__fish_nhi_needs_command" -f -a "trail" -d 'One identity\'s timeline across the activity logs, oldest first, with its chains drawn (a web-identity subject → AssumeRoleWithWebIdentity → the session\'s calls)'
complete -c nhi -n "__fish_nhi_needs_command" -f -a "evidence" -d 'Collect evidence to scan later (an auditor collects once, analyses offline)'
complete -c nhi -n "__fish_nhi_needs_command" -f -a "rules" -d 'List the rules, or explain one'
complete -c nhi -n "__fish_nhi_needs_command" -f -a "connectors" -d 'List the SaaS connector manifests, or check one offline against its recorded examples'
complete -c nhi -n "__fish_nhi_needs_command" -f -a "init" -d 'Write a commented starter nhi.yaml'
complete -c nhi -n "__fish_nhi_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c nhi -n "__fish_nhi_needs_command" -f -a "schema" -d 'Print the JSON Schema of the JSON report'
complete -c nhi -n "__fish_nhi_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l aws-evidence -d 'AWS evidence: a file or directory of `aws iam get-account-authorization-details` output and credential reports (CSV or get-credential-report JSON). Repeatable' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l activity -d 'Activity logs: a file or directory of CloudTrail logs (the S3 delivery\'s gzip objects, JSON, JSON Lines, or `aws cloudtrail lookup-events` output), GitHub organisation audit logs, Entra ID sign-in logs, Okta System Log events, Google Workspace Reports API activities, Slack audit logs or GitLab audit events, recognised by content. Each event is joined to the identity and credential that acted. Repeatable' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l aws-profile -d 'Use this profile of the shared AWS config instead of the default chain' -r
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l aws-role-arn -d 'Scan the account behind this role, through STS AssumeRole. Repeatable. Alone, only these accounts are scanned; with --aws, these as well' -r
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l repo -d 'Scan a repository (or any directory) for leaked credentials. Repeatable' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l secret-rules -d 'Extra secret-detection rules (YAML, the format of data/secret-rules/). Repeatable' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l github -d 'Scan a GitHub organisation\'s machine credentials. Repeatable' -r
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l github-api-url -d 'GitHub API URL (Enterprise Server: https://HOST/api/v3)' -r
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l github-max-requests -d 'Stop after this many GitHub requests (very large organisations); what was not read is in the coverage section' -r
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l connector -d 'Run a SaaS connector: a built-in one by id (entra-id, google-workspace, slack, okta, gitlab) or a manifest file. Inputs come from `connectors.ID` in nhi.yaml. Repeatable' -r
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l config -d 'Configuration file [default: ./nhi.yaml when present]' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l as-of -d 'The scan clock for every age rule: YYYY-MM-DD (midnight UTC) or an RFC 3339 time [default: now]' -r
complete -c nhi -n "__fish_nhi_using_subcommand scan" -s f -l format -d 'Output format [default: table when stdout is a terminal, json otherwise]' -r -f -a "table\t'A summary, the identities and the findings, for a terminal'
json\t'The JSON report (schema: docs/report.schema.json)'
markdown\t'Markdown for tickets and pull requests: summary, then findings grouped by owner'
csv\t'CSV: one row per finding (or per identity with --csv-identities)'
sarif\t'SARIF 2.1.0 for code scanning'
html\t'One self-contained HTML page: summary, filterable and sortable findings, identities'"
complete -c nhi -n "__fish_nhi_using_subcommand scan" -s o -l output -d 'Write the report to FILE instead of stdout' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l fail-on -d 'Exit with code 1 when an unsuppressed finding is at or above this severity (critical, high, medium, low, info, or never)' -r
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l baseline -d 'An earlier JSON report: findings with a fingerprint found in it are marked `known`, the others `new`' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l aws -d 'Scan AWS live: the accounts in `aws.accounts` of nhi.yaml, or else the account of the current credentials'
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l aws-access-key-ids -d 'Also list access-key ids (one ListAccessKeys call per user with keys), which the credential report lacks, so leaked keys can be matched to their identity'
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l history -d 'With --repo: also every blob of the git history (all refs), each once'
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l all-files -d 'With --repo: include files that .gitignore excludes'
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l csv-identities -d 'With --format csv: one row per identity (the inventory) instead of one per finding'
complete -c nhi -n "__fish_nhi_using_subcommand scan" -l fail-on-new -d 'Apply --fail-on to new findings only (those not in --baseline)'
complete -c nhi -n "__fish_nhi_using_subcommand scan" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c nhi -n "__fish_nhi_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nhi -n "__fish_nhi_using_subcommand report" -l config -d 'Configuration file [default: ./nhi.yaml when present]' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand report" -l as-of -d 'The scan clock for every age rule: YYYY-MM-DD (midnight UTC) or an RFC 3339 time [default: now]' -r
complete -c nhi -n "__fish_nhi_using_subcommand report" -s f -l format -d 'Output format [default: table when stdout is a terminal, json otherwise]' -r -f -a "table\t'A summary, the identities and the findings, for a terminal'
json\t'The JSON report (schema: docs/report.schema.json)'
markdown\t'Markdown for tickets and pull requests: summary, then findings grouped by owner'
csv\t'CSV: one row per finding (or per identity with --csv-identities)'
sarif\t'SARIF 2.1.0 for code scanning'
html\t'One self-contained HTML page: summary, filterable and sortable findings, identities'"
complete -c nhi -n "__fish_nhi_using_subcommand report" -s o -l output -d 'Write the report to FILE instead of stdout' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand report" -l fail-on -d 'Exit with code 1 when an unsuppressed finding is at or above this severity (critical, high, medium, low, info, or never)' -r
complete -c nhi -n "__fish_nhi_using_subcommand report" -l baseline -d 'An earlier JSON report: findings with a fingerprint found in it are marked `known`, the others `new`' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand report" -l csv-identities -d 'With --format csv: one row per identity (the inventory) instead of one per finding'
complete -c nhi -n "__fish_nhi_using_subcommand report" -l fail-on-new -d 'Apply --fail-on to new findings only (those not in --baseline)'
complete -c nhi -n "__fish_nhi_using_subcommand report" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c nhi -n "__fish_nhi_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nhi -n "__fish_nhi_using_subcommand diff" -s f -l format -d 'Output format [default: table when stdout is a terminal, json otherwise]' -r -f -a "table\t'Plain text for a terminal'
json\t'JSON'
markdown\t'Markdown for tickets and pull requests'"
complete -c nhi -n "__fish_nhi_using_subcommand diff" -s o -l output -d 'Write the diff to FILE instead of stdout' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand diff" -l fail-on -d 'Exit with code 1 when a new unsuppressed finding is at or above this severity (critical, high, medium, low, info, or never)' -r
complete -c nhi -n "__fish_nhi_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nhi -n "__fish_nhi_using_subcommand trail" -l activity -d 'Activity logs, as `nhi scan --activity` reads them. Repeatable; at least one' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand trail" -l since -d 'Only events at or after this time (YYYY-MM-DD or RFC 3339)' -r
complete -c nhi -n "__fish_nhi_using_subcommand trail" -l until -d 'Only events at or before this time (YYYY-MM-DD or RFC 3339)' -r
complete -c nhi -n "__fish_nhi_using_subcommand trail" -s f -l format -d 'Output format [default: table when stdout is a terminal, json otherwise]' -r -f -a "table\t'Chains, then events, for a terminal'
json\t'The trail as JSON'
markdown\t'Markdown for tickets'"
complete -c nhi -n "__fish_nhi_using_subcommand trail" -l policy -d 'Print instead a least-privilege IAM policy of the actions the trail\'s calls used (denied calls left out; resources narrowed where every call named them)'
complete -c nhi -n "__fish_nhi_using_subcommand trail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nhi -n "__fish_nhi_using_subcommand evidence; and not __fish_seen_subcommand_from aws help" -s h -l help -d 'Print help'
complete -c nhi -n "__fish_nhi_using_subcommand evidence; and not __fish_seen_subcommand_from aws help" -f -a "aws" -d 'Write each AWS account\'s authorization details and credential report (and key ids and alias) to DIR/ACCOUNT/, in the shapes `nhi scan --aws-evidence` reads'
complete -c nhi -n "__fish_nhi_using_subcommand evidence; and not __fish_seen_subcommand_from aws help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nhi -n "__fish_nhi_using_subcommand evidence; and __fish_seen_subcommand_from aws" -l out -d 'The directory to write to (created if missing)' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand evidence; and __fish_seen_subcommand_from aws" -l aws-profile -d 'Use this profile of the shared AWS config instead of the default chain' -r
complete -c nhi -n "__fish_nhi_using_subcommand evidence; and __fish_seen_subcommand_from aws" -l aws-role-arn -d 'Scan the account behind this role, through STS AssumeRole. Repeatable. Alone, only these accounts are scanned; with --aws, these as well' -r
complete -c nhi -n "__fish_nhi_using_subcommand evidence; and __fish_seen_subcommand_from aws" -l config -d 'Configuration file [default: ./nhi.yaml when present]' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand evidence; and __fish_seen_subcommand_from aws" -l aws -d 'Scan AWS live: the accounts in `aws.accounts` of nhi.yaml, or else the account of the current credentials'
complete -c nhi -n "__fish_nhi_using_subcommand evidence; and __fish_seen_subcommand_from aws" -l aws-access-key-ids -d 'Also list access-key ids (one ListAccessKeys call per user with keys), which the credential report lacks, so leaked keys can be matched to their identity'
complete -c nhi -n "__fish_nhi_using_subcommand evidence; and __fish_seen_subcommand_from aws" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c nhi -n "__fish_nhi_using_subcommand evidence; and __fish_seen_subcommand_from aws" -s h -l help -d 'Print help'
complete -c nhi -n "__fish_nhi_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "aws" -d 'Write each AWS account\'s authorization details and credential report (and key ids and alias) to DIR/ACCOUNT/, in the shapes `nhi scan --aws-evidence` reads'
complete -c nhi -n "__fish_nhi_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nhi -n "__fish_nhi_using_subcommand rules; and not __fish_seen_subcommand_from list explain check-secrets help" -s h -l help -d 'Print help'
complete -c nhi -n "__fish_nhi_using_subcommand rules; and not __fish_seen_subcommand_from list explain check-secrets help" -f -a "list" -d 'List every rule with its default severity and controls'
complete -c nhi -n "__fish_nhi_using_subcommand rules; and not __fish_seen_subcommand_from list explain check-secrets help" -f -a "explain" -d 'Print a rule\'s explanation, fix and control mappings'
complete -c nhi -n "__fish_nhi_using_subcommand rules; and not __fish_seen_subcommand_from list explain check-secrets help" -f -a "check-secrets" -d 'Check the secret-detection rules: every example must match, every negative example must not. Exits 1 when one fails'
complete -c nhi -n "__fish_nhi_using_subcommand rules; and not __fish_seen_subcommand_from list explain check-secrets help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nhi -n "__fish_nhi_using_subcommand rules; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c nhi -n "__fish_nhi_using_subcommand rules; and __fish_seen_subcommand_from explain" -s h -l help -d 'Print help'
complete -c nhi -n "__fish_nhi_using_subcommand rules; and __fish_seen_subcommand_from check-secrets" -l secret-rules -d 'Extra rule files to check with the built-in ones' -r -F
complete -c nhi -n "__fish_nhi_using_subcommand rules; and __fish_seen_subcommand_from check-secrets" -s h -l help -d 'Print help'
complete -c nhi -n "__fish_nhi_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every rule with its default severity and controls'
complete -c nhi -n "__fish_nhi_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "explain" -d 'Print a rule\'s explanation, fix and control mappings'
complete -c nhi -n "__fish_nhi_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "check-secrets" -d 'Check the secret-detection rules: every example must match, every negative example must not. Exits 1 when one fails'
complete -c nhi -n "__fish_nhi_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nhi -n "__fish_nhi_using_subcommand connectors; and not __fish_seen_subcommand_from list check help" -s h -l help -d 'Print help'
complete -c nhi -n "__fish_nhi_using_subcommand connectors; and not __fish_seen_subcommand_from list check help" -f -a "list" -d 'List the built-in connectors (and any manifest files given) with their streams, authentication and inputs'
complete -c nhi -n "__fish_nhi_using_subcommand connectors; and not __fish_seen_subcommand_from list check help" -f -a "check" -d 'Validate manifests and run each against a loopback server answering with its recorded examples (offline). Exits 1 when an example does not yield the expected identities, 2 when a manifest is invalid. Without arguments: every built-in one'
complete -c nhi -n "__fish_nhi_using_subcommand connectors; and not __fish_seen_subcommand_from list check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nhi -n "__fish_nhi_using_subcommand connectors; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c nhi -n "__fish_nhi_using_subcommand connectors; and __fish_seen_subcommand_from check" -l print -d 'Also print what each run emitted (identities and credentials, as JSON): a start for a new manifest\'s `expect` list'
complete -c nhi -n "__fish_nhi_using_subcommand connectors; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c nhi -n "__fish_nhi_using_subcommand connectors; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the built-in connectors (and any manifest files given) with their streams, authentication and inputs'
complete -c nhi -n "__fish_nhi_using_subcommand connectors; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate manifests and run each against a loopback server answering with its recorded examples (offline). Exits 1 when an example does not yield the expected identities, 2 when a manifest is invalid. Without arguments: every built-in one'
complete -c nhi -n "__fish_nhi_using_subcommand connectors; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nhi -n "__fish_nhi_using_subcommand init" -l force -d 'Overwrite an existing file'
complete -c nhi -n "__fish_nhi_using_subcommand init" -s h -l help -d 'Print help'
complete -c nhi -n "__fish_nhi_using_subcommand completions" -s h -l help -d 'Print help'
complete -c nhi -n "__fish_nhi_using_subcommand schema" -s h -l help -d 'Print help'
complete -c nhi -n "__fish_nhi_using_subcommand help; and not __fish_seen_subcommand_from scan report diff trail evidence rules connectors init completions schema help" -f -a "scan" -d 'Discover identities from the given sources, attribute them, and report their defects'
complete -c nhi -n "__fish_nhi_using_subcommand help; and not __fish_seen_subcommand_from scan report diff trail evidence rules connectors init completions schema help" -f -a "report" -d 'Re-render a saved JSON report, re-evaluating the rules with the current configuration and --as-of (scan once, report many ways)'
complete -c nhi -n "__fish_nhi_using_subcommand help; and not __fish_seen_subcommand_from scan report diff trail evidence rules connectors init completions schema help" -f -a "diff" -d 'Compare two JSON reports: identities added and removed, owners changed, credentials rotated, findings new and resolved. Exits 1 on new findings at or above --fail-on'
complete -c nhi -n "__fish_nhi_using_subcommand help; and not __fish_seen_subcommand_from scan report diff trail evidence rules connectors init completions schema help" -f -a "trail" -d 'One identity\'s timeline across the activity logs, oldest first, with its chains drawn (a web-identity subject → AssumeRoleWithWebIdentity → the session\'s calls)'
complete -c nhi -n "__fish_nhi_using_subcommand help; and not __fish_seen_subcommand_from scan report diff trail evidence rules connectors init completions schema help" -f -a "evidence" -d 'Collect evidence to scan later (an auditor collects once, analyses offline)'
complete -c nhi -n "__fish_nhi_using_subcommand help; and not __fish_seen_subcommand_from scan report diff trail evidence rules connectors init completions schema help" -f -a "rules" -d 'List the rules, or explain one'
complete -c nhi -n "__fish_nhi_using_subcommand help; and not __fish_seen_subcommand_from scan report diff trail evidence rules connectors init completions schema help" -f -a "connectors" -d 'List the SaaS connector manifests, or check one offline against its recorded examples'
complete -c nhi -n "__fish_nhi_using_subcommand help; and not __fish_seen_subcommand_from scan report diff trail evidence rules connectors init completions schema help" -f -a "init" -d 'Write a commented starter nhi.yaml'
complete -c nhi -n "__fish_nhi_using_subcommand help; and not __fish_seen_subcommand_from scan report diff trail evidence rules connectors init completions schema help" -f -a "completions" -d 'Print shell completions'
complete -c nhi -n "__fish_nhi_using_subcommand help; and not __fish_seen_subcommand_from scan report diff trail evidence rules connectors init completions schema help" -f -a "schema" -d 'Print the JSON Schema of the JSON report'
complete -c nhi -n "__fish_nhi_using_subcommand help; and not __fish_seen_subcommand_from scan report diff trail evidence rules connectors init completions schema help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nhi -n "__fish_nhi_using_subcommand help; and __fish_seen_subcommand_from evidence" -f -a "aws" -d 'Write each AWS account\'s authorization details and credential report (and key ids and alias) to DIR/ACCOUNT/, in the shapes `nhi scan --aws-evidence` reads'
complete -c nhi -n "__fish_nhi_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "list" -d 'List every rule with its default severity and controls'
complete -c nhi -n "__fish_nhi_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "explain" -d 'Print a rule\'s explanation, fix and control mappings'
complete -c nhi -n "__fish_nhi_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "check-secrets" -d 'Check the secret-detection rules: every example must match, every negative example must not. Exits 1 when one fails'
complete -c nhi -n "__fish_nhi_using_subcommand help; and __fish_seen_subcommand_from connectors" -f -a "list" -d 'List the built-in connectors (and any manifest files given) with their streams, authentication and inputs'
complete -c nhi -n "__fish_nhi_using_subcommand help; and __fish_seen_subcommand_from connectors" -f -a "check" -d 'Validate manifests and run each against a loopback server answering with its recorded examples (offline). Exits 1 when an example does not yield the expected identities, 2 when a manifest is invalid. Without arguments: every built-in one'
