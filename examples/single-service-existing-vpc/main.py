#!/usr/bin/env python
"""One web service in a VPC you already have: repository, HTTPS load balancer, Fargate service."""

from cdktf_fargate import Cluster, EcrRepo, FargateService, Network, PublicAlb, Scaling, ServiceOptions

from cdktf import App, TerraformOutput, TerraformStack, TerraformVariable
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct


class SingleServiceStack(TerraformStack):
    def __init__(self, scope: Construct, id_: str) -> None:
        super().__init__(scope, id_)
        AwsProvider(self, "aws", region="us-east-1")

        def variable(name: str, type_: str, description: str) -> TerraformVariable:
            value = TerraformVariable(self, name, type=type_, nullable=False, description=description)
            value.override_logical_id(name)
            return value

        image_tag = variable("image_tag", "string", "the image tag to run, e.g. the git commit SHA")
        vpc_id = variable("vpc_id", "string", "the existing VPC")
        public_subnet_ids = variable("public_subnet_ids", "list(string)", "2+ subnets routed to an internet gateway")
        private_subnet_ids = variable("private_subnet_ids", "list(string)", "2+ subnets with outbound access")
        certificate_arn = variable("certificate_arn", "string", "ACM certificate for the HTTPS listener")

        network = Network.from_existing(
            self,
            "network",
            vpc_id=vpc_id.string_value,
            public_subnet_ids=public_subnet_ids.list_value,
            private_subnet_ids=private_subnet_ids.list_value,
        )
        repository = EcrRepo(self, "repository", name="hello")
        alb = PublicAlb(self, "alb", name="hello", network=network, certificate_arn=certificate_arn.string_value)
        cluster = Cluster(self, "cluster", name="hello")
        service = FargateService(
            self,
            "service",
            name="hello",
            cluster=cluster,
            network=network,
            alb=alb,
            image=repository.image_uri(image_tag.string_value),
            options=ServiceOptions(desired_count=2, scaling=Scaling(min_count=2, max_count=4)),
        )
        repository.grant_pull(service.execution_role)

        TerraformOutput(self, "url", value=alb.url)
        TerraformOutput(self, "repository_url", value=repository.repository_url)


app = App()
SingleServiceStack(app, "hello")
app.synth()
