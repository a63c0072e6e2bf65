#!/usr/bin/env python
"""A service added to a load balancer, cluster, repository and VPC that already exist: everything is
brought in by reference, and the stack creates only the service and what belongs to it."""

from cdktf_fargate import Cluster, EcrRepo, FargateService, Network, PublicAlb, Routing, ServiceOptions

from cdktf import App, TerraformOutput, TerraformStack, TerraformVariable
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct


class ReportsStack(TerraformStack):
    def __init__(self, scope: Construct, id_: str) -> None:
        super().__init__(scope, id_)
        AwsProvider(self, "aws", region="us-east-1")

        def variable(name: str, type_: str, description: str) -> TerraformVariable:
            value = TerraformVariable(self, name, type=type_, nullable=False, description=description)
            value.override_logical_id(name)
            return value

        image_tag = variable("image_tag", "string", "the image tag to run, e.g. the git commit SHA")
        vpc_id = variable("vpc_id", "string", "the VPC of the load balancer")
        private_subnet_ids = variable("private_subnet_ids", "list(string)", "2+ subnets with outbound access")
        load_balancer_arn = variable("load_balancer_arn", "string", "the existing load balancer")
        https_listener_arn = variable("https_listener_arn", "string", "its HTTPS listener")
        alb_security_group_id = variable("alb_security_group_id", "string", "its security group")
        cluster_arn = variable("cluster_arn", "string", "an ECS cluster with the FARGATE capacity providers")

        network = Network.from_existing(
            self,
            "network",
            vpc_id=vpc_id.string_value,
            # The load balancer exists already; its subnets are not needed here.
            public_subnet_ids=private_subnet_ids.list_value,
            private_subnet_ids=private_subnet_ids.list_value,
        )
        alb = PublicAlb.from_existing(
            self,
            "alb",
            load_balancer_arn=load_balancer_arn.string_value,
            https_listener_arn=https_listener_arn.string_value,
            security_group_id=alb_security_group_id.string_value,
        )
        cluster = Cluster.from_existing(self, "cluster", arn=cluster_arn.string_value)
        repository = EcrRepo.from_existing(self, "repository", name="reports")
        service = FargateService(
            self,
            "service",
            name="reports",
            cluster=cluster,
            network=network,
            alb=alb,
            image=repository.image_uri(image_tag.string_value),
            options=ServiceOptions(routing=Routing(priority=300, path_patterns=("/reports/*",))),
        )
        repository.grant_pull(service.execution_role)

        TerraformOutput(self, "url", value=f"{alb.url}/reports/")


app = App()
ReportsStack(app, "reports")
app.synth()
