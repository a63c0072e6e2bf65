"""The deploy role's statements for the load balancer, its web ACL and its access-log bucket."""

from __future__ import annotations

from ..environments import EnvironmentConfig
from ._vocabulary import Arns, Statement, allow, created_by, in_region, tagged, tagging


def load_balancer_statements(config: EnvironmentConfig, arns: Arns) -> list[Statement]:
    environment = config.environment

    def lb(kind: str) -> str:
        return arns.regional("elasticloadbalancing", f"{kind}/app/{arns.prefix}/*")

    balancer, listeners, rules = lb("loadbalancer"), lb("listener"), lb("listener-rule")
    target_groups = arns.regional("elasticloadbalancing", "targetgroup/*")
    return [
        allow(
            "LoadBalancerByName",
            [
                "elasticloadbalancing:CreateLoadBalancer",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            balancer,
        ),
        allow(
            "ListenersByName",
            [
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            listeners,
        ),
        allow(
            "RulesByName",
            [
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:DeleteRule",
                "elasticloadbalancing:SetRulePriorities",
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            rules,
        ),
        allow("TargetGroupsCreate", ["elasticloadbalancing:CreateTargetGroup"], target_groups, tagging(environment)),
        allow(
            "TargetGroupsTagOnCreate",
            ["elasticloadbalancing:AddTags"],
            target_groups,
            created_by("elasticloadbalancing:CreateAction", ["CreateTargetGroup"], environment),
        ),
        allow(
            "TargetGroupsOwn",
            [
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            target_groups,
            tagged(environment),
        ),
    ]


def trust_store_statements(config: EnvironmentConfig, arns: Arns) -> list[Statement]:
    """With `alb.mutual_tls.mode = "verify"`: the trust store named as the load balancer, and the bundle and
    revocation list the load balancer reads from S3 as the caller (those objects alone)."""
    objects = [f"arn:{arns.partition}:s3:::{bucket}/{key}" for bucket, key in config.alb.mutual_tls.s3_objects()]
    return [
        allow(
            "TrustStoreByName",
            [
                "elasticloadbalancing:CreateTrustStore",
                "elasticloadbalancing:ModifyTrustStore",
                "elasticloadbalancing:DeleteTrustStore",
                "elasticloadbalancing:AddTrustStoreRevocations",
                "elasticloadbalancing:RemoveTrustStoreRevocations",
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            arns.regional("elasticloadbalancing", f"truststore/{arns.prefix}/*"),
        ),
        allow("TrustStoreBundle", ["s3:GetObject", "s3:GetObjectVersion"], objects),
    ]


def web_acl_statements(arns: Arns) -> list[Statement]:
    web_acl = arns.regional("wafv2", f"regional/webacl/{arns.prefix}/*")
    return [
        allow(
            "WebAclByName",
            [
                "wafv2:CreateWebACL",
                "wafv2:UpdateWebACL",
                "wafv2:DeleteWebACL",
                "wafv2:TagResource",
                "wafv2:UntagResource",
                "wafv2:PutLoggingConfiguration",
                "wafv2:DeleteLoggingConfiguration",
                "wafv2:AssociateWebACL",
                "wafv2:DisassociateWebACL",
            ],
            [web_acl, arns.regional("elasticloadbalancing", f"loadbalancer/app/{arns.prefix}/*")],
        ),
        # A web ACL that uses AWS's managed rule groups is authorized on them too.
        allow(
            "WebAclManagedRules",
            ["wafv2:CreateWebACL", "wafv2:UpdateWebACL"],
            arns.regional("wafv2", "regional/managedruleset/*/*"),
        ),
        # WAF's own check that the caller may set a web ACL on a load balancer; ELB names no resource for it.
        allow("WebAclOnTheLoadBalancer", ["elasticloadbalancing:SetWebAcl"], "*", in_region(arns)),
    ]


def log_bucket_arn(config: EnvironmentConfig, partition: str) -> str:
    return f"arn:{partition}:s3:::{config.resource_name}-alb-logs-*"


def log_bucket_statements(config: EnvironmentConfig, arns: Arns) -> list[Statement]:
    bucket = log_bucket_arn(config, arns.partition)
    return [
        allow(
            "LogBucketByName",
            [
                "s3:CreateBucket",
                "s3:DeleteBucket",
                "s3:ListBucket",
                "s3:ListBucketVersions",
                "s3:PutBucketAcl",
                "s3:PutBucketPolicy",
                "s3:DeleteBucketPolicy",
                "s3:PutBucketTagging",
                "s3:PutBucketVersioning",
                "s3:PutEncryptionConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:PutBucketOwnershipControls",
                "s3:PutBucketPublicAccessBlock",
            ],
            bucket,
        ),
        # `alb.access_logs.force_destroy`: destroy empties the bucket first.
        allow("LogBucketObjects", ["s3:DeleteObject", "s3:DeleteObjectVersion"], f"{bucket}/*"),
    ]
