#!/usr/bin/env python
"""Two services behind one load balancer in a new VPC: `/api/*` goes to the API, the rest to the web front end."""

from cdktf_fargate import Cluster, EcrRepo, FargateService, HealthCheck, Network, PublicAlb, Routing, ServiceOptions

from cdktf import App, TerraformOutput, TerraformStack, TerraformVariable
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct


class TwoServicesStack(TerraformStack):
    def __init__(self, scope: Construct, id_: str) -> None:
        super().__init__(scope, id_)
        AwsProvider(self, "aws", region="us-east-1")

        def variable(name: str, description: str) -> TerraformVariable:
            value = TerraformVariable(self, name, type="string", nullable=False, description=description)
            value.override_logical_id(name)
            return value

        image_tag = variable("image_tag", "the image tag both services run, e.g. the git commit SHA")
        certificate_arn = variable("certificate_arn", "ACM certificate for the HTTPS listener")

        network = Network(self, "network", name="shop")
        alb = PublicAlb(self, "alb", name="shop", network=network, certificate_arn=certificate_arn.string_value)

        # One cluster for both services.
        cluster = Cluster(self, "cluster", name="shop")

        web_repository = EcrRepo(self, "web-repository", name="shop-web")
        web = FargateService(
            self,
            "web",
            name="shop-web",
            cluster=cluster,
            network=network,
            alb=alb,
            image=web_repository.image_uri(image_tag.string_value),
            options=ServiceOptions(routing=Routing(priority=200, path_patterns=("/*",))),
        )
        web_repository.grant_pull(web.execution_role)

        api_repository = EcrRepo(self, "api-repository", name="shop-api")
        api = FargateService(
            self,
            "api",
            name="shop-api",
            cluster=cluster,
            network=network,
            alb=alb,
            image=api_repository.image_uri(image_tag.string_value),
            # The more specific path gets the lower (earlier) priority.
            options=ServiceOptions(
                routing=Routing(priority=100, path_patterns=("/api/*",)),
                health_check=HealthCheck(path="/api/health"),
            ),
        )
        api_repository.grant_pull(api.execution_role)

        TerraformOutput(self, "url", value=alb.url)
        TerraformOutput(self, "web_repository_url", value=web_repository.repository_url)
        TerraformOutput(self, "api_repository_url", value=api_repository.repository_url)


app = App()
TwoServicesStack(app, "shop")
app.synth()
