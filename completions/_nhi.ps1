
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'nhi' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'nhi'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'nhi' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Discover identities from the given sources, attribute them, and report their defects')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Re-render a saved JSON report, re-evaluating the rules with the current configuration and --as-of (scan once, report many ways)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Compare two JSON reports: identities added and removed, owners changed, credentials rotated, findings new and resolved. Exits 1 on new findings at or above --fail-on')
            [CompletionResult]::new('trail', 'trail', [CompletionResultType]::ParameterValue, 'One identity''s timeline across the activity logs, oldest first, with its chains drawn (a web-identity subject → AssumeRoleWithWebIdentity → the session''s calls)')
            [CompletionResult]::new('evidence', 'evidence', [CompletionResultType]::ParameterValue, 'Collect evidence to scan later (an auditor collects once, analyses offline)')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List the rules, or explain one')
            [CompletionResult]::new('connectors', 'connectors', [CompletionResultType]::ParameterValue, 'List the SaaS connector manifests, or check one offline against its recorded examples')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented starter nhi.yaml')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of the JSON report')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nhi;scan' {
            [CompletionResult]::new('--aws-evidence', '--aws-evidence', [CompletionResultType]::ParameterName, 'AWS evidence: a file or directory of `aws iam get-account-authorization-details` output and credential reports (CSV or get-credential-report JSON). Repeatable')
            [CompletionResult]::new('--activity', '--activity', [CompletionResultType]::ParameterName, 'Activity logs: a file or directory of CloudTrail logs (the S3 delivery''s gzip objects, JSON, JSON Lines, or `aws cloudtrail lookup-events` output), GitHub organisation audit logs, Entra ID sign-in logs, Okta System Log events, Google Workspace Reports API activities, Slack audit logs or GitLab audit events, recognised by content. Each event is joined to the identity and credential that acted. Repeatable')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'Use this profile of the shared AWS config instead of the default chain')
            [CompletionResult]::new('--aws-role-arn', '--aws-role-arn', [CompletionResultType]::ParameterName, 'Scan the account behind this role, through STS AssumeRole. Repeatable. Alone, only these accounts are scanned; with --aws, these as well')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Scan a repository (or any directory) for leaked credentials. Repeatable')
            [CompletionResult]::new('--secret-rules', '--secret-rules', [CompletionResultType]::ParameterName, 'Extra secret-detection rules (YAML, the format of data/secret-rules/). Repeatable')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Scan a GitHub organisation''s machine credentials. Repeatable')
            [CompletionResult]::new('--github-api-url', '--github-api-url', [CompletionResultType]::ParameterName, 'GitHub API URL (Enterprise Server: https://HOST/api/v3)')
            [CompletionResult]::new('--github-max-requests', '--github-max-requests', [CompletionResultType]::ParameterName, 'Stop after this many GitHub requests (very large organisations); what was not read is in the coverage section')
            [CompletionResult]::new('--connector', '--connector', [CompletionResultType]::ParameterName, 'Run a SaaS connector: a built-in one by id (entra-id, google-workspace, slack, okta, gitlab) or a manifest file. Inputs come from `connectors.ID` in nhi.yaml. Repeatable')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./nhi.yaml when present]')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'The scan clock for every age rule: YYYY-MM-DD (midnight UTC) or an RFC 3339 time [default: now]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format [default: table when stdout is a terminal, json otherwise]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table when stdout is a terminal, json otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of stdout')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit with code 1 when an unsuppressed finding is at or above this severity (critical, high, medium, low, info, or never)')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'An earlier JSON report: findings with a fingerprint found in it are marked `known`, the others `new`')
            [CompletionResult]::new('--aws', '--aws', [CompletionResultType]::ParameterName, 'Scan AWS live: the accounts in `aws.accounts` of nhi.yaml, or else the account of the current credentials')
            [CompletionResult]::new('--aws-access-key-ids', '--aws-access-key-ids', [CompletionResultType]::ParameterName, 'Also list access-key ids (one ListAccessKeys call per user with keys), which the credential report lacks, so leaked keys can be matched to their identity')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'With --repo: also every blob of the git history (all refs), each once')
            [CompletionResult]::new('--all-files', '--all-files', [CompletionResultType]::ParameterName, 'With --repo: include files that .gitignore excludes')
            [CompletionResult]::new('--csv-identities', '--csv-identities', [CompletionResultType]::ParameterName, 'With --format csv: one row per identity (the inventory) instead of one per finding')
            [CompletionResult]::new('--fail-on-new', '--fail-on-new', [CompletionResultType]::ParameterName, 'Apply --fail-on to new findings only (those not in --baseline)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nhi;report' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./nhi.yaml when present]')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'The scan clock for every age rule: YYYY-MM-DD (midnight UTC) or an RFC 3339 time [default: now]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format [default: table when stdout is a terminal, json otherwise]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table when stdout is a terminal, json otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of stdout')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit with code 1 when an unsuppressed finding is at or above this severity (critical, high, medium, low, info, or never)')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'An earlier JSON report: findings with a fingerprint found in it are marked `known`, the others `new`')
            [CompletionResult]::new('--csv-identities', '--csv-identities', [CompletionResultType]::ParameterName, 'With --format csv: one row per identity (the inventory) instead of one per finding')
            [CompletionResult]::new('--fail-on-new', '--fail-on-new', [CompletionResultType]::ParameterName, 'Apply --fail-on to new findings only (those not in --baseline)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nhi;diff' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format [default: table when stdout is a terminal, json otherwise]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table when stdout is a terminal, json otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the diff to FILE instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the diff to FILE instead of stdout')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit with code 1 when a new unsuppressed finding is at or above this severity (critical, high, medium, low, info, or never)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nhi;trail' {
            [CompletionResult]::new('--activity', '--activity', [CompletionResultType]::ParameterName, 'Activity logs, as `nhi scan --activity` reads them. Repeatable; at least one')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events at or before this time (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format [default: table when stdout is a terminal, json otherwise]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table when stdout is a terminal, json otherwise]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Print instead a least-privilege IAM policy of the actions the trail''s calls used (denied calls left out; resources narrowed where every call named them)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nhi;evidence' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('aws', 'aws', [CompletionResultType]::ParameterValue, 'Write each AWS account''s authorization details and credential report (and key ids and alias) to DIR/ACCOUNT/, in the shapes `nhi scan --aws-evidence` reads')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nhi;evidence;aws' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The directory to write to (created if missing)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'Use this profile of the shared AWS config instead of the default chain')
            [CompletionResult]::new('--aws-role-arn', '--aws-role-arn', [CompletionResultType]::ParameterName, 'Scan the account behind this role, through STS AssumeRole. Repeatable. Alone, only these accounts are scanned; with --aws, these as well')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./nhi.yaml when present]')
            [CompletionResult]::new('--aws', '--aws', [CompletionResultType]::ParameterName, 'Scan AWS live: the accounts in `aws.accounts` of nhi.yaml, or else the account of the current credentials')
            [CompletionResult]::new('--aws-access-key-ids', '--aws-access-key-ids', [CompletionResultType]::ParameterName, 'Also list access-key ids (one ListAccessKeys call per user with keys), which the credential report lacks, so leaked keys can be matched to their identity')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'nhi;evidence;help' {
            [CompletionResult]::new('aws', 'aws', [CompletionResultType]::ParameterValue, 'Write each AWS account''s authorization details and credential report (and key ids and alias) to DIR/ACCOUNT/, in the shapes `nhi scan --aws-evidence` reads')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nhi;evidence;help;aws' {
            break
        }
        'nhi;evidence;help;help' {
            break
        }
        'nhi;rules' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every rule with its default severity and controls')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Print a rule''s explanation, fix and control mappings')
            [CompletionResult]::new('check-secrets', 'check-secrets', [CompletionResultType]::ParameterValue, 'Check the secret-detection rules: every example must match, every negative example must not. Exits 1 when one fails')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nhi;rules;list' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'nhi;rules;explain' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'nhi;rules;check-secrets' {
            [CompletionResult]::new('--secret-rules', '--secret-rules', [CompletionResultType]::ParameterName, 'Extra rule files to check with the built-in ones')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'nhi;rules;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every rule with its default severity and controls')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Print a rule''s explanation, fix and control mappings')
            [CompletionResult]::new('check-secrets', 'check-secrets', [CompletionResultType]::ParameterValue, 'Check the secret-detection rules: every example must match, every negative example must not. Exits 1 when one fails')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nhi;rules;help;list' {
            break
        }
        'nhi;rules;help;explain' {
            break
        }
        'nhi;rules;help;check-secrets' {
            break
        }
        'nhi;rules;help;help' {
            break
        }
        'nhi;connectors' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the built-in connectors (and any manifest files given) with their streams, authentication and inputs')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate manifests and run each against a loopback server answering with its recorded examples (offline). Exits 1 when an example does not yield the expected identities, 2 when a manifest is invalid. Without arguments: every built-in one')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nhi;connectors;list' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'nhi;connectors;check' {
            [CompletionResult]::new('--print', '--print', [CompletionResultType]::ParameterName, 'Also print what each run emitted (identities and credentials, as JSON): a start for a new manifest''s `expect` list')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'nhi;connectors;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the built-in connectors (and any manifest files given) with their streams, authentication and inputs')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate manifests and run each against a loopback server answering with its recorded examples (offline). Exits 1 when an example does not yield the expected identities, 2 when a manifest is invalid. Without arguments: every built-in one')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nhi;connectors;help;list' {
            break
        }
        'nhi;connectors;help;check' {
            break
        }
        'nhi;connectors;help;help' {
            break
        }
        'nhi;init' {
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'nhi;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'nhi;schema' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'nhi;help' {
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Discover identities from the given sources, attribute them, and report their defects')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Re-render a saved JSON report, re-evaluating the rules with the current configuration and --as-of (scan once, report many ways)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Compare two JSON reports: identities added and removed, owners changed, credentials rotated, findings new and resolved. Exits 1 on new findings at or above --fail-on')
            [CompletionResult]::new('trail', 'trail', [CompletionResultType]::ParameterValue, 'One identity''s timeline across the activity logs, oldest first, with its chains drawn (a web-identity subject → AssumeRoleWithWebIdentity → the session''s calls)')
            [CompletionResult]::new('evidence', 'evidence', [CompletionResultType]::ParameterValue, 'Collect evidence to scan later (an auditor collects once, analyses offline)')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List the rules, or explain one')
            [CompletionResult]::new('connectors', 'connectors', [CompletionResultType]::ParameterValue, 'List the SaaS connector manifests, or check one offline against its recorded examples')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented starter nhi.yaml')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of the JSON report')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nhi;help;scan' {
            break
        }
        'nhi;help;report' {
            break
        }
        'nhi;help;diff' {
            break
        }
        'nhi;help;trail' {
            break
        }
        'nhi;help;evidence' {
            [CompletionResult]::new('aws', 'aws', [CompletionResultType]::ParameterValue, 'Write each AWS account''s authorization details and credential report (and key ids and alias) to DIR/ACCOUNT/, in the shapes `nhi scan --aws-evidence` reads')
            break
        }
        'nhi;help;evidence;aws' {
            break
        }
        'nhi;help;rules' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every rule with its default severity and controls')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Print a rule''s explanation, fix and control mappings')
            [CompletionResult]::new('check-secrets', 'check-secrets', [CompletionResultType]::ParameterValue, 'Check the secret-detection rules: every example must match, every negative example must not. Exits 1 when one fails')
            break
        }
        'nhi;help;rules;list' {
            break
        }
        'nhi;help;rules;explain' {
            break
        }
        'nhi;help;rules;check-secrets' {
            break
        }
        'nhi;help;connectors' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the built-in connectors (and any manifest files given) with their streams, authentication and inputs')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate manifests and run each against a loopback server answering with its recorded examples (offline). Exits 1 when an example does not yield the expected identities, 2 when a manifest is invalid. Without arguments: every built-in one')
            break
        }
        'nhi;help;connectors;list' {
            break
        }
        'nhi;help;connectors;check' {
            break
        }
        'nhi;help;init' {
            break
        }
        'nhi;help;completions' {
            break
        }
        'nhi;help;schema' {
            break
        }
        'nhi;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
