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
