"""WebAcl: a regional WAFv2 web ACL with AWS managed rules, a per-IP rate limit and logging."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from constructs import Construct

from ._bindings import (
    CloudwatchLogGroup,
    Wafv2WebAcl,
    Wafv2WebAclAssociation,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclDefaultActionAllow,
    Wafv2WebAclLoggingConfiguration,
    Wafv2WebAclLoggingConfigurationRedactedFields,
    Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader,
    Wafv2WebAclRule,
    Wafv2WebAclRuleAction,
    Wafv2WebAclRuleActionBlock,
    Wafv2WebAclRuleOverrideAction,
    Wafv2WebAclRuleOverrideActionNone,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from ._validation import Problems

WEB_ACL_NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,110}")
# Common rule set (OWASP-style), known bad inputs (Log4j and other exploit patterns),
# addresses Amazon's threat intelligence flags, and anonymizers (Tor, anonymous proxies).
DEFAULT_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
)
# Clients hosted in clouds (other services, CI, monitoring) are legitimate for most APIs:
# that rule only counts, so it shows in metrics without blocking anyone.
DEFAULT_COUNT_ONLY_RULES: dict[str, tuple[str, ...]] = {"AWSManagedRulesAnonymousIpList": ("HostingProviderIPList",)}
MANAGED_RULE_GROUP_PATTERN = re.compile(r"AWSManagedRules[A-Za-z0-9]+")
# Request headers whose values WAF logs leave out.
REDACTED_HEADERS = ("authorization", "cookie")


class WebAcl(Construct):
    """Blocks what the managed rule groups match and any client address over the rate limit."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        rate_limit_per_5_minutes: int = 2000,
        managed_rule_groups: Sequence[str] = DEFAULT_MANAGED_RULE_GROUPS,
        count_only_rules: Mapping[str, Sequence[str]] | None = None,
        log_retention_days: int = 365,
        log_kms_key_arn: str | None = None,
    ) -> None:
        """
        :param name: the web ACL's name (letters, digits, '-', '_'); its log group is ``aws-waf-logs-<name>``.
        :param rate_limit_per_5_minutes: requests one client address may make in any 5 minutes before
            it is blocked, 100-2,000,000,000. Default 2000.
        :param managed_rule_groups: AWS managed rule groups, evaluated in this order. Default: common
            rule set, known bad inputs, Amazon IP reputation list, anonymous IP list.
        :param count_only_rules: rules inside those groups that only count matches instead of
            blocking: group name -> rule names. Default: ``HostingProviderIPList`` of the anonymous
            IP list, so clients running in clouds are not blocked.
        :param log_retention_days: retention of the WAF log group. Default 365.
        :param log_kms_key_arn: encrypt the WAF log group with this key. Default None (AWS-owned key).
        """
        super().__init__(scope, id_)
        problems = Problems.of(self)
        problems.check_pattern("name", name, WEB_ACL_NAME_PATTERN, "must be 1-110 letters, digits, '-' or '_'")
        problems.check_int_range("rate_limit_per_5_minutes", rate_limit_per_5_minutes, 100, 2_000_000_000)
        if isinstance(managed_rule_groups, str) or not isinstance(managed_rule_groups, Sequence):
            problems.add("managed_rule_groups", managed_rule_groups, "must be a list of AWS managed rule group names")
        else:
            for group in managed_rule_groups:
                problems.check_pattern(
                    "managed_rule_groups", group, MANAGED_RULE_GROUP_PATTERN, "each must be an AWSManagedRules… name"
                )
        count_only = dict(DEFAULT_COUNT_ONLY_RULES if count_only_rules is None else count_only_rules)
        for group, rule_names in count_only.items():
            if group not in managed_rule_groups:
                problems.add("count_only_rules", group, "names a rule group that is not in managed_rule_groups")
            if isinstance(rule_names, str):
                problems.add(f"count_only_rules[{group!r}]", rule_names, "must be a list of rule names")
        problems.check_log_retention("log_retention_days", log_retention_days)
        if log_kms_key_arn is not None:
            problems.check_arn("log_kms_key_arn", log_kms_key_arn, service="kms")
        problems.raise_if_any()

        def visibility(metric: str) -> Wafv2WebAclRuleVisibilityConfig:
            return Wafv2WebAclRuleVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
            )

        rules = [
            Wafv2WebAclRule(
                name="rate-limit-per-ip",
                priority=0,
                action=Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock()),
                statement={"rate_based_statement": {"limit": rate_limit_per_5_minutes, "aggregate_key_type": "IP"}},
                visibility_config=visibility(f"{name}-rate-limit"),
            )
        ]
        for index, group in enumerate(managed_rule_groups, start=1):
            statement: dict[str, object] = {"name": group, "vendor_name": "AWS"}
            if count_only.get(group):
                statement["rule_action_override"] = [
                    {"name": rule_name, "action_to_use": {"count": {}}} for rule_name in count_only[group]
                ]
            rules.append(
                Wafv2WebAclRule(
                    name=group,
                    priority=index,
                    override_action=Wafv2WebAclRuleOverrideAction(none=Wafv2WebAclRuleOverrideActionNone()),
                    statement={"managed_rule_group_statement": statement},
                    visibility_config=visibility(f"{name}-{group}"),
                )
            )
        self.web_acl = Wafv2WebAcl(
            self,
            "web-acl",
            name=name,
            scope="REGIONAL",
            description=f"{name}: AWS managed rules and a per-IP rate limit",
            default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()),
            rule=rules,
            visibility_config=Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            ),
        )
        # WAF only logs to log groups whose names start with "aws-waf-logs-".
        self.log_group = CloudwatchLogGroup(
            self,
            "log-group",
            name=f"aws-waf-logs-{name}",
            retention_in_days=log_retention_days,
            kms_key_id=log_kms_key_arn,
        )
        self.logging_configuration = Wafv2WebAclLoggingConfiguration(
            self,
            "logging",
            resource_arn=self.web_acl.arn,
            log_destination_configs=[self.log_group.arn],
            # Credentials and sessions stay out of the logs, which many people can read.
            redacted_fields=[
                Wafv2WebAclLoggingConfigurationRedactedFields(
                    single_header=Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader(name=header)
                )
                for header in REDACTED_HEADERS
            ],
        )
        self.associations: list[Wafv2WebAclAssociation] = []

    @property
    def arn(self) -> str:
        return self.web_acl.arn

    def protect(self, resource_arn: str, association_id: str = "association") -> Wafv2WebAclAssociation:
        """Put a regional resource (a load balancer, API Gateway stage, …) behind this web ACL."""
        association = Wafv2WebAclAssociation(
            self, association_id, resource_arn=resource_arn, web_acl_arn=self.web_acl.arn
        )
        self.associations.append(association)
        return association
