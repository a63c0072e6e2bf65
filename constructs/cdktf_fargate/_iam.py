"""IAM pieces more than one construct builds."""

from __future__ import annotations

from constructs import Construct

from ._bindings import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)


def service_trust_policy(
    scope: Construct, id_: str, *, service: str, account_id: str, source_arn_pattern: str | None = None
) -> DataAwsIamPolicyDocument:
    """A role trust policy letting ``service`` assume the role for ``account_id`` only (confused
    deputy), and, when given, only for resources matching ``source_arn_pattern``."""
    conditions = [
        DataAwsIamPolicyDocumentStatementCondition(
            test="StringEquals", variable="aws:SourceAccount", values=[account_id]
        )
    ]
    if source_arn_pattern is not None:
        conditions.append(
            DataAwsIamPolicyDocumentStatementCondition(
                test="ArnLike", variable="aws:SourceArn", values=[source_arn_pattern]
            )
        )
    return DataAwsIamPolicyDocument(
        scope,
        id_,
        statement=[
            DataAwsIamPolicyDocumentStatement(
                actions=["sts:AssumeRole"],
                principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="Service", identifiers=[service])],
                condition=conditions,
            )
        ],
    )


def key_through_service(
    sid: str, actions: list[str], key_arn: str, service: str, region: str
) -> DataAwsIamPolicyDocumentStatement:
    """A statement that lets a role use ``key_arn`` only through ``service`` (``kms:ViaService``), as a queue's,
    a topic's or a volume's encryption asks of the role that reads or writes it."""
    return DataAwsIamPolicyDocumentStatement(
        sid=sid,
        actions=actions,
        resources=[key_arn],
        condition=[
            DataAwsIamPolicyDocumentStatementCondition(
                test="StringEquals", variable="kms:ViaService", values=[f"{service}.{region}.amazonaws.com"]
            )
        ],
    )
