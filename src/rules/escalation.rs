//! Privilege-escalation methods: Rhino Security Labs' 21 IAM methods
//! (<https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/>) and their
//! published successors (Bishop Fox iam-vulnerable, pathfinding.cloud, the 2025 AgentCore
//! code-interpreter method). Each method is the set of permissions that together allow it;
//! the resource pattern says which resources the permission must reach.

/// Resource patterns.
const POLICY: &str = "arn:aws:iam::*:policy/*";
const USER: &str = "arn:aws:iam::*:user/*";
const GROUP: &str = "arn:aws:iam::*:group/*";
const ROLE: &str = "arn:aws:iam::*:role/*";
const FUNCTION: &str = "arn:aws:lambda:*:*:function:*";
const ANY: &str = "*";

/// One permission a method needs.
#[derive(Debug)]
pub struct Need {
    /// The action.
    pub action: &'static str,
    /// The resource pattern it must reach.
    pub resource: &'static str,
    /// For `iam:PassRole`: the service the role is passed to.
    pub passed_to: Option<&'static str>,
    /// A grant only on the principal itself does not count.
    pub not_self: bool,
    /// Every resource must be reachable (e.g. `sts:AssumeRole` on `*`).
    pub all: bool,
}

const fn on(action: &'static str, resource: &'static str) -> Need {
    Need {
        action,
        resource,
        passed_to: None,
        not_self: false,
        all: false,
    }
}

const fn other(action: &'static str, resource: &'static str) -> Need {
    Need {
        action,
        resource,
        passed_to: None,
        not_self: true,
        all: false,
    }
}

const fn pass(service: &'static str) -> Need {
    Need {
        action: "iam:PassRole",
        resource: ROLE,
        passed_to: Some(service),
        not_self: false,
        all: false,
    }
}

/// A privilege-escalation method.
#[derive(Debug)]
pub struct Method {
    /// Short name.
    pub name: &'static str,
    /// Where it is published.
    pub source: &'static str,
    /// The permissions that together allow it.
    pub needs: &'static [Need],
}

const RHINO: &str = "Rhino Security Labs";
const SUCCESSOR: &str = "successor lists (Bishop Fox iam-vulnerable, pathfinding.cloud)";

/// Every known method.
pub static METHODS: &[Method] = &[
    Method {
        name: "CreateNewPolicyVersion",
        source: RHINO,
        needs: &[on("iam:CreatePolicyVersion", POLICY)],
    },
    Method {
        name: "SetExistingDefaultPolicyVersion",
        source: RHINO,
        needs: &[on("iam:SetDefaultPolicyVersion", POLICY)],
    },
    Method {
        name: "CreateEC2WithExistingInstanceProfile",
        source: RHINO,
        needs: &[pass("ec2.amazonaws.com"), on("ec2:RunInstances", ANY)],
    },
    Method {
        name: "CreateAccessKey",
        source: RHINO,
        needs: &[other("iam:CreateAccessKey", USER)],
    },
    Method {
        name: "CreateLoginProfile",
        source: RHINO,
        needs: &[other("iam:CreateLoginProfile", USER)],
    },
    Method {
        name: "UpdateLoginProfile",
        source: RHINO,
        needs: &[other("iam:UpdateLoginProfile", USER)],
    },
    Method {
        name: "AttachUserPolicy",
        source: RHINO,
        needs: &[on("iam:AttachUserPolicy", USER)],
    },
    Method {
        name: "AttachGroupPolicy",
        source: RHINO,
        needs: &[on("iam:AttachGroupPolicy", GROUP)],
    },
    Method {
        name: "AttachRolePolicy",
        source: RHINO,
        needs: &[on("iam:AttachRolePolicy", ROLE)],
    },
    Method {
        name: "PutUserPolicy",
        source: RHINO,
        needs: &[on("iam:PutUserPolicy", USER)],
    },
    Method {
        name: "PutGroupPolicy",
        source: RHINO,
        needs: &[on("iam:PutGroupPolicy", GROUP)],
    },
    Method {
        name: "PutRolePolicy",
        source: RHINO,
        needs: &[on("iam:PutRolePolicy", ROLE)],
    },
    Method {
        name: "AddUserToGroup",
        source: RHINO,
        needs: &[on("iam:AddUserToGroup", GROUP)],
    },
    Method {
        name: "UpdateRolePolicyToAssumeIt",
        source: RHINO,
        needs: &[
            on("iam:UpdateAssumeRolePolicy", ROLE),
            on("sts:AssumeRole", ROLE),
        ],
    },
    Method {
        name: "PassExistingRoleToNewLambdaThenInvoke",
        source: RHINO,
        needs: &[
            pass("lambda.amazonaws.com"),
            on("lambda:CreateFunction", ANY),
            on("lambda:InvokeFunction", FUNCTION),
        ],
    },
    Method {
        name: "PassExistingRoleToNewLambdaThenTriggerWithDynamo",
        source: RHINO,
        needs: &[
            pass("lambda.amazonaws.com"),
            on("lambda:CreateFunction", ANY),
            on("lambda:CreateEventSourceMapping", ANY),
        ],
    },
    Method {
        name: "EditExistingLambdaFunctionWithRole",
        source: RHINO,
        needs: &[on("lambda:UpdateFunctionCode", FUNCTION)],
    },
    Method {
        name: "PassExistingRoleToNewGlueDevEndpoint",
        source: RHINO,
        needs: &[
            pass("glue.amazonaws.com"),
            on("glue:CreateDevEndpoint", ANY),
        ],
    },
    Method {
        name: "UpdateExistingGlueDevEndpoint",
        source: RHINO,
        needs: &[on("glue:UpdateDevEndpoint", ANY)],
    },
    Method {
        name: "PassExistingRoleToCloudFormation",
        source: RHINO,
        needs: &[
            pass("cloudformation.amazonaws.com"),
            on("cloudformation:CreateStack", ANY),
        ],
    },
    Method {
        name: "PassExistingRoleToNewDataPipeline",
        source: RHINO,
        needs: &[
            pass("datapipeline.amazonaws.com"),
            on("datapipeline:CreatePipeline", ANY),
            on("datapipeline:PutPipelineDefinition", ANY),
        ],
    },
    Method {
        name: "PassRoleToNewCodeBuildProject",
        source: SUCCESSOR,
        needs: &[
            pass("codebuild.amazonaws.com"),
            on("codebuild:CreateProject", ANY),
            on("codebuild:StartBuild", ANY),
        ],
    },
    Method {
        name: "PassRoleToNewSageMakerNotebook",
        source: SUCCESSOR,
        needs: &[
            pass("sagemaker.amazonaws.com"),
            on("sagemaker:CreateNotebookInstance", ANY),
            on("sagemaker:CreatePresignedNotebookInstanceUrl", ANY),
        ],
    },
    Method {
        name: "AccessExistingSageMakerNotebook",
        source: SUCCESSOR,
        needs: &[on("sagemaker:CreatePresignedNotebookInstanceUrl", ANY)],
    },
    Method {
        name: "PassRoleToNewEcsTask",
        source: SUCCESSOR,
        needs: &[
            pass("ecs-tasks.amazonaws.com"),
            on("ecs:RegisterTaskDefinition", ANY),
            on("ecs:RunTask", ANY),
        ],
    },
    Method {
        name: "PassRoleToNewGlueJob",
        source: SUCCESSOR,
        needs: &[
            pass("glue.amazonaws.com"),
            on("glue:CreateJob", ANY),
            on("glue:StartJobRun", ANY),
        ],
    },
    Method {
        name: "PassRoleToAutoScalingLaunchConfiguration",
        source: SUCCESSOR,
        needs: &[
            pass("ec2.amazonaws.com"),
            on("autoscaling:CreateLaunchConfiguration", ANY),
            on("autoscaling:CreateAutoScalingGroup", ANY),
        ],
    },
    Method {
        name: "PassRoleToExistingEc2Instance",
        source: SUCCESSOR,
        needs: &[
            pass("ec2.amazonaws.com"),
            on("ec2:AssociateIamInstanceProfile", ANY),
        ],
    },
    Method {
        name: "UpdateLambdaConfigurationWithLayer",
        source: SUCCESSOR,
        needs: &[on("lambda:UpdateFunctionConfiguration", FUNCTION)],
    },
    Method {
        name: "SsmSendCommandToInstances",
        source: SUCCESSOR,
        needs: &[on("ssm:SendCommand", ANY)],
    },
    Method {
        name: "SsmStartSessionOnInstances",
        source: SUCCESSOR,
        needs: &[on("ssm:StartSession", ANY)],
    },
    Method {
        name: "Ec2InstanceConnectSendSshKey",
        source: SUCCESSOR,
        needs: &[on("ec2-instance-connect:SendSSHPublicKey", ANY)],
    },
    Method {
        name: "AssumeAnyRole",
        source: SUCCESSOR,
        needs: &[Need {
            action: "sts:AssumeRole",
            resource: ANY,
            passed_to: None,
            not_self: false,
            all: true,
        }],
    },
    Method {
        name: "PassRoleToAgentCoreCodeInterpreter",
        source: "Sonrai Security (2025): Bedrock AgentCore code interpreter",
        needs: &[
            pass("bedrock-agentcore.amazonaws.com"),
            on("bedrock-agentcore:CreateCodeInterpreter", ANY),
            on("bedrock-agentcore:StartCodeInterpreterSession", ANY),
            on("bedrock-agentcore:InvokeCodeInterpreter", ANY),
        ],
    },
];
